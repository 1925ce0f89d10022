"""The layout holds on real-sized data and comes back: 27 identities make the track lanes a
scrolling strip (the video keeps its room), 12 behaviour rows scroll in the timeline, a closed
dock returns from View > Panels, View > Reset Layout puts moved docks back, and the layout a
user leaves is the one the next window opens with."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from core.domain import Behaviour, Box, Instance, Track
from core.project import Project
from core.workflows.videos import add_videos
from gui.track_lanes import ROW, SHOWN_ROWS, TOP

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gui_windows import open_window  # noqa: E402

pytestmark = pytest.mark.gui
SCREENSHOTS = Path(__file__).resolve().parents[2] / "tests" / "screenshots"


@pytest.fixture
def crowded(qtbot, tmp_path, tiny_video):
    """27 identity fragments (as SLEAP's centered_pair gives) and 12 behaviours."""
    with Project.create(tmp_path / "p") as project:
        (video,) = add_videos(project, [tiny_video])
        for n in range(27):
            track = project.tracks.add(Track(f"track_{n}"))
            project.instances.add(Instance(video.id, n % 20, track_id=track.id, box=Box(1, 1, 9, 9), source="predicted", score=0.5))
        for n in range(12):
            project.behaviours.add(Behaviour(f"behaviour {n}", "", "#3366cc", "state"))
    window = open_window(qtbot, tmp_path / "p", size=(1600, 1000))
    qtbot.waitUntil(lambda: not window.panels.track_lanes.busy and bool(window.panels.track_lanes.rows))
    return window


def wheel(widget, x: float, y: float, up: bool) -> None:
    position = QPointF(x, y)
    event = QWheelEvent(position, widget.mapToGlobal(position), QPoint(), QPoint(0, 120 if up else -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_many_identities_scroll_and_the_video_keeps_its_room(qtbot, crowded):
    window, lanes = crowded, crowded.panels.track_lanes
    qtbot.wait(50)  # the docks are sized once the window has its size
    assert len(lanes.rows) == 27 and lanes.height() <= TOP + SHOWN_ROWS * ROW + 2
    assert lanes.scrollbar.isVisible() and lanes.scrollbar.maximum() == 27 - SHOWN_ROWS
    wheel(lanes, 60, 20, up=False)
    assert lanes.first_row == 1
    assert window.view.height() >= 0.45 * window.height()  # the video, not the lanes, has the room
    SCREENSHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SCREENSHOTS / "proofreading_27_tracks.png"))


def test_behaviour_rows_past_the_dock_scroll(qtbot, crowded):
    timeline = crowded.panels.timeline
    qtbot.wait(50)
    assert len(timeline.data.lanes) >= 12
    assert timeline.lane_bar.isVisible()
    wheel(timeline, 40, timeline.rows.ruler_height + 5, up=False)  # over the names
    assert timeline.rows.first_lane == 1 and timeline.lane_bar.value() == 1
    timeline.lane_bar.setValue(timeline.lane_bar.maximum())
    assert timeline.rows.first_lane == timeline.lane_bar.maximum() > 0


def test_a_closed_dock_comes_back_from_the_view_menu(qtbot, crowded):
    window = crowded
    show = window.findChild(type(window.actions_by_id["view.reset_layout"]), "action_show_instances")
    dock = window.docks["Instances"]
    assert dock.isVisible()
    show.trigger()
    assert not dock.isVisible()
    show.trigger()
    assert dock.isVisible()


def test_reset_layout_puts_moved_docks_back(qtbot, crowded):
    window = crowded
    review = window.docks["Review"]
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, review)
    window.docks["History"].hide()
    assert window.dockWidgetArea(review) == Qt.DockWidgetArea.LeftDockWidgetArea
    window.actions_by_id["view.reset_layout"].trigger()
    assert window.dockWidgetArea(review) == Qt.DockWidgetArea.RightDockWidgetArea
    assert not window.docks["History"].isHidden() and window.docks["Training"].isHidden()


def test_the_layout_a_user_leaves_is_the_next_one(qtbot, tmp_path, tiny_video):
    with Project.create(tmp_path / "p") as project:
        add_videos(project, [tiny_video])
    first = open_window(qtbot, tmp_path / "p", size=(1300, 850))
    first.docks["Videos"].toggleViewAction().trigger()  # the user closes the video list
    first.close()
    second = open_window(qtbot, tmp_path / "p", size=None)
    assert second.window_layout.saved  # so `python -m gui` shows it as it was, not maximised
    assert second.docks["Videos"].isHidden()


def test_every_tool_has_an_icon(qtbot, crowded):
    from PySide6.QtGui import QAction

    tools = [a for a in crowded.tool_bar.actions() if isinstance(a, QAction) and not a.isSeparator()]
    assert len(tools) == 7 and all(not a.icon().isNull() for a in tools)
    crowded.tool_bar.grab().save(str(SCREENSHOTS / "tool_bar.png"))
