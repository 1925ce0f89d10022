"""One identity per frame for new labels: a track chosen in the Instances panel goes to the next
instance drawn on a frame only while no instance there has it; otherwise the new instance goes
without a track and the status bar says so. Driven with the real combo, keys and mouse drags
in the main window on the demo project; checked in the store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gui_windows import demo_window  # noqa: E402

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(qtbot, tmp_path):
    main = demo_window(qtbot, tmp_path)
    main.state.set_frame(5)  # not a labelled frame: no instance, no track taken
    qtbot.waitUntil(lambda: not main.view._pixmap.pixmap().isNull())
    main.view.fit()
    main.docks["Instances"].raise_()
    return main


def choose_in_combo(qtbot, box, row: int) -> None:
    qtbot.mouseClick(box, LEFT)
    view = box.view()
    qtbot.waitUntil(view.isVisible)
    qtbot.wait(QApplication.doubleClickInterval() + 50)  # the popup ignores a release this soon after opening
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(view.model().index(row, 0)).center())
    qtbot.waitUntil(lambda: not view.isVisible())


def draw_box(qtbot, window, x, y) -> None:
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_B)
    viewport = window.view.viewport()
    points = [window.view.mapFromScene(QPointF(px, py)) for px, py in ((x, y), (x + 20, y + 15), (x + 40, y + 30))]
    QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, points[0])
    QTest.mouseMove(viewport, points[1])
    QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, points[2])


def user_tracks(window) -> list[int | None]:
    instances = window.project.instances.on_frame(window.state.video_id, window.state.frame_index, source="user")
    return [i.track_id for i in sorted(instances, key=lambda i: i.id)]


def test_a_new_instance_never_takes_a_track_already_on_its_frame(qtbot, window):
    panel = window.panels.instances
    second = window.project.tracks.all()[1]
    choose_in_combo(qtbot, panel.track_box, panel.track_box.findData(second.id))
    draw_box(qtbot, window, 10, 10)
    assert user_tracks(window) == [second.id]  # free on this frame: the chosen track
    for x in (80, 150, 220):  # three more animals drawn without choosing again
        draw_box(qtbot, window, x, 10)
    assert user_tracks(window) == [second.id, None, None, None]  # not four of the same identity
    message = window.statusBar().currentMessage()
    assert second.name in message and "no track" in message
    window.undo_edit()
    window.undo_edit()
    window.undo_edit()
    window.undo_edit()
    assert user_tracks(window) == []
    draw_box(qtbot, window, 10, 10)  # the track is free again after undo
    assert user_tracks(window) == [second.id]


def test_a_track_held_by_a_prediction_or_another_label_is_not_given_twice(qtbot, window):
    window.state.set_frame(0)  # a labelled frame: each animal's identity is on it
    taken = {t for t in user_tracks(window) if t is not None}
    assert taken
    panel = window.panels.instances
    choose_in_combo(qtbot, panel.track_box, panel.track_box.findData(min(taken)))
    before = len(user_tracks(window))
    draw_box(qtbot, window, 240, 180)
    tracks = user_tracks(window)
    assert len(tracks) == before + 1 and tracks[-1] is None
