"""The window's actions as data: id, menu, text, shortcut and the method it calls, declared in
one table; the main window only assembles them (as napari's app-model does)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSpec:
    id: str
    menu: str
    text: str
    method: str  # name of the MainWindow method it calls
    shortcuts: tuple[str, ...] = ()
    needs_project: bool = True


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("file.new", "&File", "&New Project…", "new_project", ("Ctrl+N",), needs_project=False),
    ActionSpec("file.open", "&File", "&Open Project…", "choose_project", ("Ctrl+O",), needs_project=False),
    ActionSpec("file.new_shared", "&File", "New &Shared Project…", "new_shared_project", needs_project=False),
    ActionSpec("file.open_shared", "&File", "Open Shared Pro&ject…", "choose_shared_project", needs_project=False),
    ActionSpec("file.add_videos", "&File", "&Add Videos…", "choose_videos", ("Ctrl+I",)),
    ActionSpec("file.relink", "&File", "&Relink Missing Videos…", "show_relink_dialog"),
    ActionSpec("file.import", "&File", "&Import Labels…", "show_import_dialog", ("Ctrl+Shift+I",)),
    ActionSpec("file.export", "&File", "&Export…", "show_export_dialog", ("Ctrl+E",)),
    ActionSpec("file.quit", "&File", "&Quit", "close", ("Ctrl+Q",), needs_project=False),
    ActionSpec("edit.undo", "&Edit", "&Undo", "undo_edit", ("Ctrl+Z",)),
    ActionSpec("edit.redo", "&Edit", "&Redo", "redo_edit", ("Ctrl+Shift+Z", "Ctrl+Y")),
    ActionSpec("edit.delete", "&Edit", "&Delete Selected", "delete_selected", ("Delete", "Backspace")),
    ActionSpec("edit.copy", "&Edit", "&Copy Instances", "copy_instances", ("Ctrl+C",)),
    ActionSpec("edit.paste", "&Edit", "&Paste Instances", "paste_instances", ("Ctrl+V",)),
    ActionSpec("edit.copy_previous", "&Edit", "Copy Previous &Labelled Frame Here", "copy_previous_frame", ("Ctrl+Shift+V",)),
    ActionSpec("edit.next_instance", "&Edit", "Select Next Instance", "select_next_instance", ("Tab",)),
    ActionSpec("edit.accept", "&Edit", "&Accept Selected Prediction", "accept_selected", ("Ctrl+Return",)),
    ActionSpec("edit.accept_all", "&Edit", "Accept All Predictions on Frame", "accept_all_on_frame", ("Ctrl+Shift+Return",)),
    ActionSpec("ml.train", "&Model", "&Train…", "train_model", ("Ctrl+T",)),
    ActionSpec("ml.predict", "&Model", "&Predict…", "predict", ("Ctrl+Shift+P",)),
    ActionSpec("view.fit", "&View", "&Fit Frame to Window", "fit_view", ("Ctrl+0",)),
    ActionSpec("view.predictions", "&View", "Show/Hide &Predictions", "toggle_predictions", ("Ctrl+P",)),
    ActionSpec("view.reset_layout", "&View", "&Reset Layout", "reset_layout", (), needs_project=False),
    ActionSpec("go.play", "&Go", "Play/Pause", "toggle_playback", ("Space",)),
    ActionSpec("go.next", "&Go", "Next Frame", "next_frame", ("Right", ".")),
    ActionSpec("go.previous", "&Go", "Previous Frame", "previous_frame", ("Left", ",")),
    ActionSpec("go.forward", "&Go", "Forward 50 Frames", "jump_forward", ("Shift+Right",)),
    ActionSpec("go.back", "&Go", "Back 50 Frames", "jump_back", ("Shift+Left",)),
    ActionSpec("go.first", "&Go", "First Frame", "first_frame", ("Home",)),
    ActionSpec("go.last", "&Go", "Last Frame", "last_frame", ("End",)),
    ActionSpec("go.next_labeled", "&Go", "Next Labelled Frame", "next_labeled_frame", ("Alt+Right",)),
    ActionSpec("go.previous_labeled", "&Go", "Previous Labelled Frame", "previous_labeled_frame", ("Alt+Left",)),
    ActionSpec("go.next_suggestion", "&Go", "Next Unlabelled Suggestion", "next_suggestion", ("Ctrl+Right",)),
    ActionSpec("go.previous_suggestion", "&Go", "Previous Unlabelled Suggestion", "previous_suggestion", ("Ctrl+Left",)),
    ActionSpec("go.next_video", "&Go", "Next Video", "next_video", ("Ctrl+PgDown",)),
    ActionSpec("go.previous_video", "&Go", "Previous Video", "previous_video", ("Ctrl+PgUp",)),
    ActionSpec("help.cheat_sheet", "&Help", "Keyboard &Cheat Sheet", "show_cheat_sheet", ("F1",), needs_project=False),
    ActionSpec("help.shortcuts", "&Help", "&Edit Shortcuts…", "edit_shortcuts", (), needs_project=False),
    ActionSpec("help.about", "&Help", "&About Ethoframe", "show_about", (), needs_project=False),
)


def ignoring_checked(slot: Callable[[], object]) -> Callable[[bool], None]:
    """The slot for `QAction.triggered(bool checked)` that calls `slot()` with no arguments.

    Qt hands the `checked` flag to the first parameter a slot can take, so a method with an
    optional parameter (`track_current_video(max_animals=None)`) ran with `max_animals=False`
    from the menu while tests calling it directly passed. Every action is connected through this.
    """
    return lambda _checked=False: slot()
