"""Keys belong to the canvas after using a panel: choosing the subject in the ethogram panel or a
track in the instances panel (real clicks and keys on the combo box and its popup), clicking a
panel's list, or pressing Escape in a panel's widget leaves the keyboard focus on the video
canvas, so the next behaviour key codes the behaviour and the next tool key picks the tool —
checked in the store."""

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
    main.state.set_frame(main.state.frame_count - 5)  # past the coded third: nothing running
    qtbot.waitUntil(lambda: not main.view._pixmap.pixmap().isNull())
    main.view.fit()
    main.view.setFocus()
    return main


def type_key(qtbot, window, key) -> None:
    """A key typed by the user lands on whatever has the focus."""
    qtbot.keyClick(QApplication.focusWidget() or window, key)


def choose_in_combo(qtbot, box, row: int) -> None:
    """Open the combo's popup with a click and click the row, as a user does."""
    qtbot.mouseClick(box, LEFT)
    view = box.view()
    qtbot.waitUntil(view.isVisible)
    qtbot.wait(QApplication.doubleClickInterval() + 50)  # the popup ignores a release this soon after opening
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())
    qtbot.waitUntil(lambda: not view.isVisible())
    qtbot.wait(10)


def walk_events(window, subject_id):
    walk = next(b for b in window.project.behaviours.all() if b.name == "walk")
    return [e for e in window.project.events.in_video(window.state.video_id)
            if e.behaviour_id == walk.id and e.subject_id == subject_id and e.start_frame == window.state.frame_index]  # fmt: skip


def test_a_behaviour_key_codes_right_after_choosing_the_subject(qtbot, window):
    ethogram = window.panels.ethogram
    window.docks["Ethogram"].raise_()
    mouse_2 = ethogram.subject_box.findData(window.project.tracks.all()[1].id)
    choose_in_combo(qtbot, ethogram.subject_box, mouse_2)
    subject = ethogram.subject_id
    assert subject == window.project.tracks.all()[1].id
    type_key(qtbot, window, Qt.Key.Key_W)
    assert len(walk_events(window, subject)) == 1  # walk started for the chosen subject
    assert ethogram.subject_id == subject  # the key did not search the combo instead


def test_a_behaviour_key_codes_right_after_choosing_the_instance_track(qtbot, window):
    panel = window.panels.instances
    window.docks["Instances"].raise_()
    choose_in_combo(qtbot, panel.track_box, 2)
    type_key(qtbot, window, Qt.Key.Key_W)
    assert len(walk_events(window, window.panels.ethogram.subject_id)) == 1


def test_escape_in_a_panel_widget_gives_the_keys_back_to_the_canvas(qtbot, window):
    ethogram = window.panels.ethogram
    window.docks["Ethogram"].raise_()
    ethogram.subject_box.setFocus(Qt.FocusReason.TabFocusReason)  # tabbed into, popup closed
    assert QApplication.focusWidget() is ethogram.subject_box
    type_key(qtbot, window, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.view
    type_key(qtbot, window, Qt.Key.Key_B)  # the box tool, then a drag draws a box
    before = len(user_instances(window))
    draw_box(window)
    after = user_instances(window)
    assert len(after) == before + 1 and after[-1].box is not None


def draw_box(window) -> None:
    viewport = window.view.viewport()
    at = [window.view.mapFromScene(QPointF(x, y)) for x, y in ((20, 20), (60, 50), (100, 90))]
    QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, at[0])
    QTest.mouseMove(viewport, at[1])
    QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, at[2])


def user_instances(window):
    return window.project.instances.on_frame(window.state.video_id, window.state.frame_index, source="user")


def test_clicking_the_instance_list_or_a_panel_button_keeps_the_tool_keys(qtbot, window):
    panel = window.panels.instances
    window.docks["Instances"].raise_()
    window.state.set_frame(0)  # a labelled frame: the list has rows
    qtbot.mouseClick(panel.instances.viewport(), LEFT, pos=panel.instances.visualItemRect(panel.instances.item(0)).center())
    qtbot.wait(10)
    assert QApplication.focusWidget() is window.view
    qtbot.mouseClick(panel.accept_button, LEFT)  # a user label: refused, and the keys stay
    qtbot.wait(10)
    before = len(user_instances(window))
    type_key(qtbot, window, Qt.Key.Key_B)
    draw_box(window)
    assert len(user_instances(window)) == before + 1


@pytest.mark.parametrize("dock", ["Videos", "Models", "History"])
def test_a_click_in_the_other_panels_leaves_the_keys_to_the_canvas(qtbot, window, dock):
    from PySide6.QtWidgets import QAbstractItemView

    window.docks[dock].show()
    window.docks[dock].raise_()
    view = window.docks[dock].widget()
    view = view if isinstance(view, QAbstractItemView) else view.findChild(QAbstractItemView)
    qtbot.waitUntil(view.isVisible)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.viewport().rect().center())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view)
    frame = window.state.frame_index
    type_key(qtbot, window, Qt.Key.Key_Left)  # the arrow steps the video, not the list's row
    assert window.state.frame_index == frame - 1
