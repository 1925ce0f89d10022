"""The widgets that belong to one open project (instances, ethogram, skeleton editor, timeline,
the tools' context), built when a project opens and placed in the main window's docks. The
docks themselves persist; opening another project swaps their widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QWidget

from core.project import Project
from gui.behaviour_keys import behaviour_for_key
from gui.behaviour_strip import BehaviourStripWidget
from gui.canvas.tools import ToolContext
from gui.ethogram_panel import EthogramPanel
from gui.instance_panel import InstancePanel
from gui.skeleton_editor import SkeletonEditor
from gui.state import AppState
from gui.timeline import TimelineWidget
from gui.track_lanes import TrackLanesWidget
from gui.undo import UndoController


class ProjectPanels:
    """Builds and wires the per-project widgets; `window` must offer `push_edit`,
    `show_message` and `frames` (the FrameSource)."""

    def __init__(self, window: QMainWindow, project: Project, undo: UndoController, state: AppState) -> None:
        self.window = window
        self.instances = InstancePanel(undo, state)
        self.instances.setObjectName("instances")
        self.instances.edit_requested.connect(window.push_edit)
        self.ethogram = EthogramPanel(project, undo, state)
        self.ethogram.setObjectName("ethogram")
        self.ethogram.message.connect(window.show_message)
        self.skeletons = SkeletonEditor(undo)
        self.skeletons.status.connect(window.show_message)
        self.timeline = TimelineWidget(project, undo, state)
        self.timeline.setObjectName("timeline")
        self.timeline.frame_requested.connect(state.set_frame)
        self.timeline.message.connect(window.show_message)
        self.track_lanes = TrackLanesWidget(project, undo, state)
        self.track_lanes.frame_requested.connect(state.set_frame)
        self.behaviour_strips = BehaviourStripWidget(project, state)
        self.behaviour_strips.frame_requested.connect(state.set_frame)
        self.behaviour_strips.applied.connect(self._behaviour_events_applied)
        self.tool_context = ToolContext(
            project, state, window.push_edit,
            frame=lambda: window.frames.cached(state.frame_index),
            show_status=window.tool_status.setText, show_message=window.show_message,
        )  # fmt: skip
        self._follow_choices()

    def _follow_choices(self) -> None:
        """New instances get the class and track picked in the instances panel and the
        skeleton shown in the skeleton editor."""
        context, panel, editor = self.tool_context, self.instances, self.skeletons

        def sync(_index: int = 0) -> None:
            context.class_id = panel.current_class
            context.track_id = panel.current_track
            context.skeleton_id = editor.chooser.currentData()

        for box in (panel.class_box, panel.track_box, editor.chooser):
            box.currentIndexChanged.connect(sync)
        sync()

    def _behaviour_events_applied(self, written: int) -> None:
        self.timeline.refresh()
        self.window.show_message(f"{written} predicted behaviour events written from the probabilities")

    def refresh_predictions(self) -> None:
        """After a prediction job (no edit announces it): the strips and the timeline."""
        self.behaviour_strips.refresh()
        self.timeline.refresh()

    def claims_key(self, text: str) -> bool:
        """Whether a plain key press codes a behaviour (so it beats one-letter tool shortcuts)."""
        return self.window.state.video_id is not None and behaviour_for_key(self.ethogram.behaviours, text) is not None

    def place(self, docks: dict[str, QDockWidget]) -> None:
        """Put the widgets into the window's docks, replacing an earlier project's."""
        # The track lanes sit under the behaviour timeline in one dock (a second tab group in
        # the window would leave a stale tab bar on screen with Qt 6.11).
        timelines = QSplitter(Qt.Orientation.Vertical)
        timelines.addWidget(self.timeline)
        timelines.addWidget(self.track_lanes)
        timelines.addWidget(self.behaviour_strips)
        timelines.setStretchFactor(0, 3)
        timelines.setStretchFactor(1, 1)
        timelines.setStretchFactor(2, 1)
        self.track_lanes.setVisible(bool(self.track_lanes.rows))
        self.behaviour_strips.setVisible(self.behaviour_strips.result is not None)
        for name, widget in (("Instances", self.instances), ("Ethogram", self.ethogram),
                             ("Skeleton", self.skeletons), ("Timeline", timelines)):  # fmt: skip
            old = docks[name].widget()
            docks[name].setWidget(widget)
            if old is not None:
                old.deleteLater()
        # Room for several lanes (the timeline scrolls for more); once the window has its size.
        height = max(self.timeline.sizeHint().height() + self.track_lanes.minimumHeight(), 240)
        QTimer.singleShot(0, lambda: self._size_docks(docks, height))

    def _size_docks(self, docks: dict[str, QDockWidget], timeline_height: int) -> None:
        self.window.resizeDocks([docks["Timeline"]], [timeline_height], Qt.Orientation.Vertical)
        self.window.resizeDocks([docks["Videos"], docks["Instances"]], [200, 360], Qt.Orientation.Horizontal)


DOCKS = (
    ("Instances", Qt.DockWidgetArea.RightDockWidgetArea),
    ("Ethogram", Qt.DockWidgetArea.RightDockWidgetArea),
    ("Skeleton", Qt.DockWidgetArea.RightDockWidgetArea),
    ("History", Qt.DockWidgetArea.RightDockWidgetArea),
    ("Timeline", Qt.DockWidgetArea.BottomDockWidgetArea),
)


def placeholder() -> QWidget:
    return QWidget()
