"""The window's actions as data: id, menu, text, shortcut and the method it calls, declared in
one table; the main window only assembles them (as napari's app-model does)."""

from __future__ import annotations

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
    ActionSpec("file.add_videos", "&File", "&Add Videos…", "choose_videos", ("Ctrl+I",)),
    ActionSpec("file.relink", "&File", "&Relink Missing Videos…", "show_relink_dialog"),
    ActionSpec("file.quit", "&File", "&Quit", "close", ("Ctrl+Q",), needs_project=False),
    ActionSpec("edit.undo", "&Edit", "&Undo", "undo_edit", ("Ctrl+Z",)),
    ActionSpec("edit.redo", "&Edit", "&Redo", "redo_edit", ("Ctrl+Shift+Z", "Ctrl+Y")),
    ActionSpec("view.fit", "&View", "&Fit Frame to Window", "fit_view", ("F",)),
    ActionSpec("view.predictions", "&View", "Show/Hide &Predictions", "toggle_predictions", ("P",)),
    ActionSpec("go.next", "&Go", "Next Frame", "next_frame", ("Right", ".")),
    ActionSpec("go.previous", "&Go", "Previous Frame", "previous_frame", ("Left", ",")),
    ActionSpec("go.forward", "&Go", "Forward 50 Frames", "jump_forward", ("Shift+Right",)),
    ActionSpec("go.back", "&Go", "Back 50 Frames", "jump_back", ("Shift+Left",)),
    ActionSpec("go.first", "&Go", "First Frame", "first_frame", ("Home",)),
    ActionSpec("go.last", "&Go", "Last Frame", "last_frame", ("End",)),
    ActionSpec("go.next_labeled", "&Go", "Next Labelled Frame", "next_labeled_frame", ("Alt+Right",)),
    ActionSpec("go.previous_labeled", "&Go", "Previous Labelled Frame", "previous_labeled_frame", ("Alt+Left",)),
)
