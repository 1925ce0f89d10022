"""The main window: assembles the frame view, the video list, the undo history and the
actions; routes navigation and edits to `core`. `MainWindow(path_or_None)` builds it without
starting the event loop (tests and scripts rely on that); `gui.launch.run()` is the application."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSlider,
    QSpinBox,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from core.domain import Instance
from core.edits import DeleteInstance, Edit, copy_previous_labeled_frame
from core.edits import paste_instances as paste_edit
from core.project import Project, ProjectError
from core.project.location import open_project
from core.video import VideoError
from core.workflows import navigation
from core.workflows.videos import add_videos
from gui.about_box import show_about
from gui.actions import ACTIONS, ignoring_checked
from gui.analysis import BIG_VIDEO_FRAMES, LatestAnalysis, warm_up
from gui.canvas.frame_view import FrameView
from gui.canvas_focus import CanvasFocus
from gui.frame_source import FrameSource
from gui.message_log import MessageLog
from gui.interchange_dialogs import ExportDialog, ImportDialog
from gui.behaviour_keys import BehaviourKeyFilter
from gui.project_panels import DOCKS, ProjectPanels, placeholder
from gui.relink_dialog import RelinkDialog
from gui.review.controller import DOCK_NAME as REVIEW_DOCK
from gui.review.controller import ReviewController
from gui.shortcuts import ShortcutsDialog, apply_shortcuts, load_overrides
from gui.state import AppState
from gui.team_sync import TeamSync, ask_server_url
from gui.tool_bar import ToolBar
from gui.tracks_controller import TracksController
from gui.training import TrainingController
from gui.undo import UndoController
from gui.window_layout import WindowLayout

JUMP = 50


class MainWindow(QMainWindow):
    frame_shown = Signal(int)  # a decoded frame is on the canvas

    def __init__(self, project_path: str | Path | None = None) -> None:
        super().__init__()
        self.project: Project | None = None
        self.undo_controller: UndoController | None = None
        self.state = AppState()
        self.frames = FrameSource(self)
        self.relink_dialog: RelinkDialog | None = None
        self.panels: ProjectPanels | None = None
        self.review: ReviewController | None = None
        self.team_sync: TeamSync | None = None  # other clients' edits, shown as they commit
        self.tracks: TracksController | None = None
        self.chosen_model_id: int | None = None  # the model that predicts (models panel)
        self._catalog_cache: tuple[dict, dict] | None = None
        self.clipboard: list[Instance] = []
        self.playback = QTimer(self)
        self.playback.timeout.connect(self._play_tick)
        self.resize(1400, 900)

        self.view = FrameView()
        self.view.setObjectName("canvas")
        self.canvas_focus = CanvasFocus(self.view)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.frame_box = QSpinBox()
        self.frame_label = QLabel()
        central = QWidget()
        column = QVBoxLayout(central)
        column.addWidget(self.view, 1)
        bar = QHBoxLayout()
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.frame_box)
        bar.addWidget(self.frame_label)
        column.addLayout(bar)
        self.setCentralWidget(central)

        self.video_list = QListWidget()
        self.video_list.setObjectName("videos")
        self.docks = {"Videos": self._add_dock("Videos", self.video_list, Qt.DockWidgetArea.LeftDockWidgetArea)}
        self.history_view = QUndoView()
        for name, area in DOCKS:
            self.docks[name] = self._add_dock(name, self.history_view if name == "History" else placeholder(), area)
        # The timeline runs under the video only; the side docks keep their full height.
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.training = TrainingController(self)
        self.training.message.connect(self.show_message)
        self.training.model_chosen.connect(self._choose_model)
        self.docks["Training"] = self._add_dock("Training", self.training.dock_widget, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.docks["Training"].setObjectName("training_dock")
        self.docks["Models"] = self._add_dock("Models", self.training.models_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.docks["Models"].setObjectName("models_dock")
        # Every dock exists before any is tabbed (the review controller fills its dock per
        # project): a dock added after tabbing left stale tab bars on screen.
        self.docks["Review"] = self._add_dock("Review", placeholder(), Qt.DockWidgetArea.RightDockWidgetArea)
        self.docks["Review"].setObjectName(REVIEW_DOCK)
        self.message_log = MessageLog()
        self.docks["Messages"] = self._add_dock("Messages", self.message_log, Qt.DockWidgetArea.RightDockWidgetArea)
        self._tab_docks()
        self.tool_status = QLabel()
        self.statusBar().addPermanentWidget(self.tool_status)
        # Counting a big project takes a while (0.3 s at a million instances): recount once
        # after a burst of edits (a drag is dozens), not on every one.
        self.counts_label = QLabel()
        self.statusBar().addWidget(self.counts_label)
        self._counts = LatestAnalysis(self, delay_ms=300)  # a pass over every instance: on a worker
        self._counts.ready.connect(self._show_counts)

        # The window's own lists and the training panels (they outlive a project) hand the keys back too.
        for panel in (self.video_list, self.history_view, self.message_log, self.training.models_panel, self.training.dock_widget):
            self.canvas_focus.adopt(panel)
        self.actions_by_id: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        self._build_actions()
        self.tool_bar = ToolBar(self, self.view)
        self.window_layout = WindowLayout(self, self.docks, self.menus["&View"])
        self.window_layout.restore()
        BehaviourKeyFilter(
            self,
            lambda text: self.panels is not None and self.panels.ethogram.handle_key(text),
            lambda text: self.panels is not None and self.panels.claims_key(text),
        ).install()

        self.video_list.currentRowChanged.connect(self._video_row_changed)
        self.slider.valueChanged.connect(self.state.set_frame)
        self.frame_box.valueChanged.connect(self.state.set_frame)
        self.state.frame_changed.connect(self._frame_changed)
        self.state.selection_changed.connect(self.view.set_selected)  # a highlight, not a re-read
        self.frames.frame_ready.connect(self._frame_decoded)
        self.frames.failed.connect(self.show_message)

        if project_path is not None:
            self.open_project(project_path)
        self._update_title()

    # --- project ---------------------------------------------------------------------------------

    def open_project(self, path: str | Path, create: bool = False) -> bool:
        try:
            project = open_project(path, create=create)  # a folder, or a shared project's postgresql:// URL
        except ProjectError as error:
            QMessageBox.warning(self, "Cannot create project" if create else "Cannot open project", str(error))
            return False
        self._set_project(project)
        if project.videos.missing():
            QTimer.singleShot(0, self.show_relink_dialog)
        return True

    def _set_project(self, project: Project) -> None:
        self._catalog_cache = None
        if self.team_sync is not None:
            self.team_sync.dispose()
        if self.project is not None:
            self.frames.close()
            self.project.close()
        self.project = project
        if project.db.is_sqlite and any(v.frame_count >= BIG_VIDEO_FRAMES for v in project.videos.all()):
            warm_up()  # long videos' analyses run in the helper process: start it now
        self.undo_controller = UndoController(project, self)
        self.undo_controller.edit_done.connect(self._edit_done)
        self.undo_controller.refused.connect(self.show_refusal)
        self.team_sync = TeamSync(project, self.undo_controller, self)
        self.team_sync.status.connect(lambda message: message and self.show_message(message))
        self.history_view.setStack(self.undo_controller.stack)
        self.panels = ProjectPanels(self, project, self.undo_controller, self.state)
        self.panels.place(self.docks)
        if self.review is not None:
            self.review.dispose()
        self.review = ReviewController(self, project, self.undo_controller, self.state, self.push_edit)
        if self.tracks is not None:
            self.tracks.dispose()
        self.tracks = TracksController(self, project, self.state, self.push_edit)
        self.tracks.message.connect(self.show_message)
        lanes = self.panels.track_lanes
        self.tracks.shown_suspects = lambda: None if lanes.busy else lanes.suspects
        self.tracks.tracked.connect(lambda _summary: (self.refresh_annotations(), self.panels.track_lanes.refresh()))
        self.tool_bar.attach(self.panels.tool_context)
        # Choosing a subject, a track or a frame to review must not keep the behaviour and tool keys.
        for panel in (self.panels.instances, self.panels.ethogram, self.review.panel, self.panels.skeletons):
            self.canvas_focus.adopt(panel)
        self.training.set_project(project)
        self._refresh_videos()
        self._update_title()
        self._refresh_status()
        for action in self.actions_by_id.values():
            action.setEnabled(True)

    def new_project(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the new project")
        if folder:
            try:
                self._set_project(Project.create(folder))
            except ProjectError as error:
                QMessageBox.warning(self, "Cannot create project", str(error))

    def choose_project(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open an Ethoframe project")
        if folder:
            self.open_project(folder)

    def new_shared_project(self) -> None:
        url = ask_server_url(self, "New Shared Project")
        if url:
            self.open_project(url, create=True)

    def choose_shared_project(self) -> None:
        url = ask_server_url(self, "Open Shared Project")
        if url:
            self.open_project(url)

    def choose_videos(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add videos", "", "Videos (*.mp4 *.avi *.mkv *.mov);;All files (*)")
        if paths:
            self.add_videos(paths)

    def add_videos(self, paths: list[str]) -> bool:
        try:
            add_videos(self.project, paths)
        except (VideoError, ProjectError) as error:
            QMessageBox.warning(self, "Cannot add videos", str(error))
            return False
        self._refresh_videos()
        self._refresh_status()
        return True

    def show_import_dialog(self) -> ImportDialog:
        dialog = ImportDialog(self.project, self)
        dialog.imported.connect(self._imported)
        dialog.open()
        return dialog

    def _imported(self, summary) -> None:
        self._catalog_cache = None
        self._refresh_videos()
        self._refresh_status()
        self._show_annotations()
        if self.panels is not None:
            for panel in (self.panels.instances, self.panels.ethogram, self.panels.skeletons, self.panels.timeline):
                panel.refresh()
        self.show_message(f"imported {summary.instances_user + summary.instances_predicted} instances from {Path(summary.path).name}")

    def show_export_dialog(self) -> ExportDialog:
        dialog = ExportDialog(self.project, self)
        dialog.exported.connect(lambda summary: self.show_message(f"exported to {', '.join(summary.files)}"))
        dialog.open()
        return dialog

    def show_relink_dialog(self) -> None:
        if self.project is None or not self.project.videos.missing():
            return
        self.relink_dialog = RelinkDialog(self.project, self)
        self.relink_dialog.relinked.connect(lambda _video: self._refresh_videos())
        self.relink_dialog.open()  # window-modal, but does not block the caller

    # --- navigation ---------------------------------------------------------------------------------

    def _video_row_changed(self, row: int) -> None:
        if self.project is None or row < 0:
            return
        video_id = self.video_list.item(row).data(Qt.ItemDataRole.UserRole)
        video = self.project.videos.get(video_id)
        index_cache = self.project.folder / "models" / ".video_index" if self.project.folder is not None else None
        if not self.frames.open(video.path, index_cache):
            return
        for widget in (self.slider, self.frame_box):
            widget.setRange(0, max(video.frame_count - 1, 0))
        self.state.set_video(video_id, video.frame_count)
        self.view.fit()

    def _frame_changed(self, index: int) -> None:
        for widget in (self.slider, self.frame_box):
            if widget.value() != index:
                blocker = widget.blockSignals(True)
                widget.setValue(index)
                widget.blockSignals(blocker)
        self.frame_label.setText(f"/ {self.state.frame_count - 1}")
        self._show(index, self.frames.request(index))
        self._show_annotations()

    def _frame_decoded(self, index: int) -> None:
        if index == self.state.frame_index:
            self._show(index, self.frames.cached(index))

    def _show(self, index: int, frame) -> None:
        if frame is not None:
            self.view.show_frame(frame)
            self.frame_shown.emit(index)

    def _show_annotations(self) -> None:
        if self.project is None or self.state.video_id is None:
            return
        instances = self.project.instances.on_frame(self.state.video_id, self.state.frame_index)
        skeletons, colors = self._catalog()
        self.view.show_instances(instances, skeletons, colors, self.state.selected_instance)

    def _catalog(self) -> tuple[dict, dict]:
        """The skeletons and the tracks' and classes' colours the canvas draws with, read once
        until the catalog changes (an edit of it, an import, a tracking or prediction job)."""
        if self._catalog_cache is None:
            skeletons = {s.id: s for s in self.project.skeletons.all()}
            colors = {
                "track": {t.id: t.color for t in self.project.tracks.all()},
                "class": {c.id: c.color for c in self.project.label_classes.all()},
            }
            self._catalog_cache = (skeletons, colors)
        return self._catalog_cache

    def next_frame(self) -> None:
        self.state.step(1)

    def previous_frame(self) -> None:
        self.state.step(-1)

    def jump_forward(self) -> None:
        self.state.step(JUMP)

    def jump_back(self) -> None:
        self.state.step(-JUMP)

    def first_frame(self) -> None:
        self.state.set_frame(0)

    def last_frame(self) -> None:
        self.state.set_frame(self.state.frame_count - 1)

    def next_labeled_frame(self) -> None:
        self._go_to(navigation.next_labeled_frame, +1)

    def previous_labeled_frame(self) -> None:
        self._go_to(navigation.next_labeled_frame, -1)

    def next_suggestion(self) -> None:
        self._go_to(navigation.next_unlabeled_suggestion, +1)

    def previous_suggestion(self) -> None:
        self._go_to(navigation.next_unlabeled_suggestion, -1)

    def _go_to(self, where, direction: int) -> None:
        if self.project is None or self.state.video_id is None:
            return
        frame = where(self.project, self.state.video_id, self.state.frame_index, direction)
        if frame is not None:
            self.state.set_frame(frame)

    def next_video(self) -> None:
        self._select_video(navigation.next_video(self.project, self.state.video_id, +1))

    def previous_video(self) -> None:
        self._select_video(navigation.next_video(self.project, self.state.video_id, -1))

    def _select_video(self, video_id: int | None) -> None:
        for row in range(self.video_list.count()):
            if self.video_list.item(row).data(Qt.ItemDataRole.UserRole) == video_id:
                self.video_list.setCurrentRow(row)

    def toggle_playback(self) -> None:
        if self.playback.isActive():
            self.playback.stop()
        elif self.project is not None and self.state.video_id is not None:
            fps = self.project.videos.get(self.state.video_id).fps or 30.0
            self.playback.start(max(1, int(1000 / fps)))

    def _play_tick(self) -> None:
        if self.state.frame_index >= self.state.frame_count - 1:
            self.playback.stop()
        else:
            self.state.step(1)

    # --- editing --------------------------------------------------------------------------------

    def show_message(self, message: str, refused: bool = False) -> None:
        """A line in the status bar for a few seconds, kept in the Messages tab (in red when
        something was refused or failed)."""
        self.statusBar().showMessage(message, 8000)
        self.message_log.add(message, refused)

    def show_refusal(self, message: str) -> None:
        self.show_message(message, refused=True)

    def push_edit(self, edit: Edit) -> bool:
        """Apply a core edit through the undo stack; a refused edit shows why and changes nothing."""
        return self.undo_controller.try_push(edit, self.show_refusal)

    def _ask_and_push(self, ask, *args) -> bool:
        """Build an edit from the current state (which may refuse) and push it."""
        try:
            edit = ask(self.project, *args)
        except (ProjectError, ValueError) as error:
            self.show_refusal(str(error))
            return False
        return self.push_edit(edit)

    def _frame_instances(self) -> list[Instance]:
        if self.project is None or self.state.video_id is None:
            return []
        return self.project.instances.on_frame(self.state.video_id, self.state.frame_index)

    def delete_selected(self) -> None:
        if self.state.selected_instance is not None:
            if self.push_edit(DeleteInstance(self.state.selected_instance)):
                self.state.select(None)

    def copy_instances(self) -> None:
        """Copy the selected instance, or all user labels of the frame when none is selected."""
        instances = self._frame_instances()
        chosen = [i for i in instances if i.id == self.state.selected_instance] or [i for i in instances if not i.is_predicted]
        self.clipboard = chosen
        self.show_message(f"copied {len(chosen)} instance(s)")

    def paste_instances(self) -> None:
        self._ask_and_push(paste_edit, self.clipboard, self.state.video_id, self.state.frame_index)

    def copy_previous_frame(self) -> None:
        self._ask_and_push(copy_previous_labeled_frame, self.state.video_id, self.state.frame_index)

    def select_next_instance(self) -> None:
        ids = [i.id for i in self._frame_instances()]
        if ids:
            current = self.state.selected_instance
            self.state.select(ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0])

    def accept_selected(self) -> None:
        if self.panels is not None:
            self.panels.instances.accept_selected()

    def accept_all_on_frame(self) -> None:
        """Accept the predictions shown (the review threshold hides the others)."""
        if self.review is not None:
            self.review.accept_all_on_frame()

    def _choose_model(self, model_id: int) -> None:
        self.chosen_model_id = model_id

    def train_model(self) -> None:
        self.docks["Training"].show()
        self.training.open_train_dialog()

    def predict(self) -> None:
        if self.review is not None:
            self.review.show_predict_dialog()

    def refresh_annotations(self) -> None:
        """Redraw the frame's instances and the lists showing them (a job's predictions are no edit)."""
        self._catalog_cache = None  # a tracking job makes tracks, an import classes
        self._show_annotations()
        if self.panels is not None:
            self.panels.instances.refresh()
            self.panels.refresh_predictions()
        self._refresh_status()

    def undo_edit(self) -> None:
        if self.undo_controller is not None:
            self.undo_controller.stack.undo()

    def redo_edit(self) -> None:
        if self.undo_controller is not None:
            self.undo_controller.stack.redo()

    def _edit_done(self, edit: Edit) -> None:
        """Redraw the frame when the edit touched it; the counts follow a moment later."""
        here = (self.state.video_id, self.state.frame_index)
        if any(t.topic == "catalog" for t in edit.touched()):
            self._catalog_cache = None
        if any(t.topic == "catalog" or (t.topic == "instances" and t.concerns(*here)) for t in edit.touched()):
            self._show_annotations()
        self._refresh_status()

    def show_cheat_sheet(self) -> None:
        behaviours = [(f"Code {b.name} ({b.kind})", b.key or "") for b in self.project.behaviours.all()] if self.project else []
        ShortcutsDialog(self.actions_by_id, behaviours, editable=False, parent=self).open()

    def edit_shortcuts(self) -> None:
        ShortcutsDialog(self.actions_by_id, parent=self).open()

    def show_about(self) -> None:
        show_about(self)

    # --- view -------------------------------------------------------------------------------------

    def fit_view(self) -> None:
        self.view.fit()

    def toggle_predictions(self) -> None:
        if self.review is not None:
            self.review.toggle_predictions()

    # --- assembly ---------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        menus = self.menus
        for spec in ACTIONS:
            menu = menus.get(spec.menu) or menus.setdefault(spec.menu, self.menuBar().addMenu(spec.menu))
            action = QAction(spec.text, self)
            action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setObjectName("action_" + spec.id.split(".", 1)[1])  # e.g. action_train, action_predict
            action.triggered.connect(ignoring_checked(getattr(self, spec.method)))
            action.setEnabled(not spec.needs_project)
            menu.addAction(action)
            self.actions_by_id[spec.id] = action
        apply_shortcuts(self.actions_by_id, load_overrides())

    def _add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _refresh_videos(self) -> None:
        current = self.state.video_id
        missing = {v.id for v in self.project.videos.missing()}
        self.video_list.blockSignals(True)
        self.video_list.clear()
        for video in self.project.videos.all():
            suffix = "  (missing)" if video.id in missing else ""
            item = QListWidgetItem(f"{video.display_name}{suffix}")
            item.setData(Qt.ItemDataRole.UserRole, video.id)
            item.setToolTip(f"{video.path}\n{video.frame_count} frames, {video.width}x{video.height}, {video.fps:g} fps")
            self.video_list.addItem(item)
        self.video_list.blockSignals(False)
        rows = [self.video_list.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.video_list.count())]
        if rows and current not in rows:
            self.video_list.setCurrentRow(0)

    def _refresh_status(self) -> None:
        if self.project is not None:
            self._counts.request(Project.counts, self.project)

    def _show_counts(self, c) -> None:
        if self.project is None:
            return
        parts = ((c.videos, "video"), (c.frames_labeled, "labelled frame"), (c.instances_user, "label"),
                 (c.instances_predicted, "prediction"), (c.behaviour_events, "behaviour event"))  # fmt: skip
        self.counts_label.setText(" · ".join(f"{n:,} {word}{'s' * (n != 1)}" for n, word in parts))

    def _update_title(self) -> None:
        name = f"{self.project.name} — " if self.project is not None else ""
        self.setWindowTitle(f"{name}Ethoframe")

    def _tab_docks(self) -> None:
        """One tab group in the whole window: Qt 6.11 leaves a stale copy of a second group's
        tab bar on screen. The training dock sits under the timeline, shown when training."""
        for name in ("Skeleton", "Review", "Models", "Messages"):
            self.tabifyDockWidget(self.docks["Ethogram"], self.docks[name])
        self.docks["Ethogram"].raise_()
        self.splitDockWidget(self.docks["Timeline"], self.docks["Training"], Qt.Orientation.Vertical)
        self.docks["Training"].hide()

    def reset_layout(self) -> None:
        self.window_layout.reset()

    def closeEvent(self, event) -> None:
        self.window_layout.save()
        self.playback.stop()
        if self.review is not None:
            self.review.dispose()  # stops a running prediction job cleanly
        self.training.shutdown()  # a clean cancel: the job saves its checkpoint (waits up to 5 s)
        self.frames.close()
        if self.team_sync is not None:
            self.team_sync.dispose()
        if self.project is not None:
            self.project.close()
        super().closeEvent(event)

