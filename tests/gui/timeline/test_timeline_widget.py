"""The timeline widget, driven with the mouse and keyboard at computed pixel positions: seeking,
selecting, resizing by dragging an edge (one undo step per drag), deleting; assertions on the
store. Also checks it repaints what an edit touched and draws bars where it says they are."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from core.domain import BehaviourEvent, Box, Instance, Suggestion
from core.edits import add_state_event, toggle_state_event
from gui.state import AppState
from gui.timeline import TimelineWidget
from gui.timeline.timeline_widget import LABEL_WIDTH
from gui.undo import UndoController

pytestmark = pytest.mark.gui


@pytest.fixture
def timeline(qtbot, project, video, catalog):
    groom = catalog["groom"].id
    project.events.add(BehaviourEvent(video.id, groom, 50, 80, id=1))
    project.events.add(BehaviourEvent(video.id, groom, 100, 120, catalog["alice"].id, id=2))
    project.events.add(BehaviourEvent(video.id, catalog["rear"].id, 30, 30, id=3))
    state = AppState()
    state.set_video(video.id, video.frame_count)
    widget = TimelineWidget(project, UndoController(project), state)
    qtbot.addWidget(widget)
    widget.resize(int(LABEL_WIDTH) + 700, 180)
    widget.show()
    qtbot.waitExposed(widget)
    widget.show_frames(0, 139)  # 5 pixels per frame: frame f starts at x = LABEL_WIDTH + 5 f
    assert widget.scale.pixels_per_frame == 5
    return widget


def _y(widget: TimelineWidget, event_id: int) -> int:
    return int(widget.bar_rect(event_id).center().y())


def test_lanes_follow_the_ethogram_and_subjects(timeline):
    assert [lane.label for lane in timeline.data.lanes] == ["groom", "groom · alice", "rear"]


def test_clicking_empty_timeline_requests_that_frame(qtbot, timeline):
    with qtbot.waitSignal(timeline.frame_requested) as asked:
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(LABEL_WIDTH + 5 * 17 + 2), _y(timeline, 1)))
    assert asked.args == [17]
    with qtbot.waitSignal(timeline.frame_requested) as asked:  # on the ruler too
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(LABEL_WIDTH + 5 * 133 + 1), 5))
    assert asked.args == [133]


def test_dragging_empty_timeline_scrubs(qtbot, timeline):
    asked = []
    timeline.frame_requested.connect(asked.append)
    y = _y(timeline, 3) + 20  # below the last lane
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(LABEL_WIDTH + 5 * 10), y))
    for frame in (11, 11, 14):
        qtbot.mouseMove(timeline, QPoint(int(LABEL_WIDTH + 5 * frame + 2), y))
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(LABEL_WIDTH + 5 * 14 + 2), y))
    assert asked == [10, 11, 14]


def test_clicking_a_bar_selects_it_and_double_click_seeks_to_its_start(qtbot, timeline):
    with qtbot.waitSignal(timeline.event_selected) as selected:
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=timeline.bar_rect(2).center().toPoint())
    assert selected.args == [2] and timeline.selected_event == 2
    with qtbot.waitSignal(timeline.frame_requested) as asked:
        qtbot.mouseDClick(timeline, Qt.MouseButton.LeftButton, pos=timeline.bar_rect(2).center().toPoint())
    assert asked.args == [100]


def test_dragging_an_edge_resizes_in_the_store_and_undo_restores_it_in_one_step(qtbot, timeline, project):
    undo = timeline.undo_controller
    y = _y(timeline, 1)
    right = int(timeline.bar_rect(1).right())  # the boundary after frame 80
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(right - 1, y))
    for dx in (6, 21, 33, 51):
        qtbot.mouseMove(timeline, QPoint(right + dx, y))
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(right + 51, y))
    assert (project.events.get(1).start_frame, project.events.get(1).end_frame) == (50, 90)
    assert undo.stack.count() == 1
    assert timeline.bar_rect(1).right() == pytest.approx(LABEL_WIDTH + 5 * 91)  # redrawn from the store

    left = int(timeline.bar_rect(1).left())
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(left + 1, y))
    qtbot.mouseMove(timeline, QPoint(left - 24, y))
    qtbot.mouseMove(timeline, QPoint(left - 49, y))
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(left - 49, y))
    assert (project.events.get(1).start_frame, project.events.get(1).end_frame) == (40, 90)
    assert undo.stack.count() == 2

    undo.stack.undo()
    assert (project.events.get(1).start_frame, project.events.get(1).end_frame) == (50, 90)
    undo.stack.undo()
    assert (project.events.get(1).start_frame, project.events.get(1).end_frame) == (50, 80)
    assert timeline.bar_rect(1).right() == pytest.approx(LABEL_WIDTH + 5 * 81)


def test_delete_removes_the_selected_event_and_undo_brings_it_back(qtbot, timeline, project, video):
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=timeline.bar_rect(1).center().toPoint())
    qtbot.keyClick(timeline, Qt.Key.Key_Delete)
    assert [e.id for e in project.events.in_video(video.id)] == [3, 2]
    assert timeline.selected_event is None and timeline.bar_rect(1) is None
    qtbot.keyClick(timeline, Qt.Key.Key_Delete)  # nothing selected: nothing happens
    assert len(project.events.in_video(video.id)) == 2
    timeline.undo_controller.stack.undo()
    assert project.events.get(1).end_frame == 80 and timeline.bar_rect(1) is not None


def test_edits_from_elsewhere_and_frame_steps_redraw_it(qtbot, timeline, project, video, catalog):
    undo, state = timeline.undo_controller, timeline.state
    undo.push(add_state_event(project, video.id, catalog["groom"].id, 5, 9, catalog["bob"].id))
    assert [lane.label for lane in timeline.data.lanes] == ["groom", "groom · alice", "groom · bob", "rear"]
    state.set_frame(130)
    running = undo.push(toggle_state_event(project, video.id, catalog["groom"].id, 130)).event
    state.set_frame(137)
    assert timeline.bar_rect(running.id).right() == pytest.approx(LABEL_WIDTH + 5 * 138)  # up to the playhead
    state.set_frame(250)  # off screen: the view follows the playhead
    assert timeline.scale.first_frame <= 250 < timeline.scale.first_frame + timeline.scale.visible_frames


def test_wheel_zooms_around_the_pointer(qtbot, timeline):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    x = LABEL_WIDTH + 5 * 60 + 2
    wheel = QWheelEvent(QPointF(x, 40), QPointF(x, 40), QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(timeline, wheel)
    assert timeline.scale.pixels_per_frame == pytest.approx(6.25)
    assert timeline.scale.frame_at(x) == 60


def test_it_paints_bars_markers_and_playhead_where_it_says(qtbot, timeline, project, video, tmp_path):
    project.instances.add(Instance(video.id, 20, box=Box(0, 0, 5, 5)))
    project.suggestions.add(Suggestion(video.id, 90, "uniform"))
    timeline.refresh()
    timeline.show_frames(0, 139)
    timeline.state.set_frame(60)
    image = timeline.grab().toImage()
    image.save(str(tmp_path / "timeline.png"))
    bar = timeline.bar_rect(2).center().toPoint()
    assert QColor(image.pixel(bar.x() + 10, bar.y())).name() == "#aa0000"  # groom's colour
    marker_y = int(timeline.rows.ruler_height - 3)
    assert QColor(image.pixel(int(LABEL_WIDTH + 5 * 20 + 1), marker_y)).name() == "#2f7ed8"  # labelled
    assert QColor(image.pixel(int(LABEL_WIDTH + 5 * 60 + 2), 2)).name() != QColor(image.pixel(int(LABEL_WIDTH + 5 * 64), 2)).name()


def test_delete_reaches_the_timeline_even_when_the_window_has_a_delete_shortcut(qtbot, timeline, project, video):
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    fired = []
    action = QAction("Delete instance", window)
    action.setShortcut(QKeySequence(Qt.Key.Key_Delete))
    action.triggered.connect(lambda: fired.append(True))
    window.addAction(action)
    window.setCentralWidget(timeline)
    window.resize(int(LABEL_WIDTH) + 700, 220)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    timeline.show_frames(0, 139)
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=timeline.bar_rect(2).center().toPoint())
    qtbot.waitUntil(timeline.hasFocus)
    qtbot.keyClick(timeline, Qt.Key.Key_Delete)
    assert fired == [] and [e.id for e in project.events.in_video(video.id)] == [3, 1]
    qtbot.keyClick(timeline, Qt.Key.Key_Delete)  # nothing selected now: the window's shortcut runs
    assert fired == [True]
    window.takeCentralWidget().setParent(None)  # the fixture owns the timeline, not the window


def test_a_deleted_timeline_and_panel_stop_listening(qtbot, project, video, catalog):
    """A new project gets new widgets on the same window state: the old ones must not hear it."""
    from gui.ethogram_panel import EthogramPanel

    state, undo = AppState(), UndoController(project)
    old = [TimelineWidget(project, undo, state), EthogramPanel(project, undo, state)]
    for widget in old:
        widget.deleteLater()
    qtbot.waitUntil(lambda: not state.receivers("2video_changed(int)"))
    state.set_video(video.id, video.frame_count)  # would raise on a dead widget
    undo.push(toggle_state_event(project, video.id, catalog["groom"].id, 4))
