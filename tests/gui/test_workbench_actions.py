"""Keyboard-driven labelling in the main window: every key press checked against the store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.domain import Box, Instance, LabelClass, Suggestion, Track
from core.project import Project
from core.workflows.videos import add_videos
from gui.app import MainWindow
from gui.shortcuts import ShortcutsDialog, load_overrides

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path, tiny_video):
    with Project.create(tmp_path / "p") as project:
        (video,) = add_videos(project, [tiny_video])
        mouse = project.label_classes.add(LabelClass("mouse"))
        alice = project.tracks.add(Track("alice"))
        project.instances.add(Instance(video.id, 2, box=Box(1, 1, 20, 20), class_id=mouse.id, track_id=alice.id))
        project.instances.add(Instance(video.id, 2, box=Box(30, 5, 50, 25), source="predicted", score=0.4))
        project.instances.add(Instance(video.id, 2, box=Box(5, 30, 15, 40), source="predicted", score=0.9))
        project.suggestions.replace(video.id, "uniform", [Suggestion(video.id, f, "uniform") for f in (2, 9, 15)])
    main = MainWindow(tmp_path / "p")
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)
    return main


def key(qtbot, window, k, modifiers=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window, k, modifiers)


def test_tab_selects_and_delete_removes_then_undo(qtbot, window):
    window.state.set_frame(2)
    key(qtbot, window, Qt.Key.Key_Tab)
    first = window.state.selected_instance
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.state.selected_instance != first
    key(qtbot, window, Qt.Key.Key_Delete)
    assert len(window.project.instances.on_frame(window.state.video_id, 2)) == 2
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.project.instances.on_frame(window.state.video_id, 2)) == 3


def test_copy_paste_and_copy_previous_labelled_frame(qtbot, window):
    video = window.state.video_id
    window.state.set_frame(2)
    key(qtbot, window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)  # nothing selected: the user labels
    window.state.set_frame(6)
    key(qtbot, window, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    (pasted,) = window.project.instances.on_frame(video, 6)
    assert pasted.box == Box(1, 1, 20, 20) and pasted.track_id is not None
    window.state.set_frame(8)
    key(qtbot, window, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.project.instances.on_frame(video, 8)) == 1  # from frame 6, the nearest labelled
    assert window.undo_controller.stack.count() == 2


def test_accept_all_predictions_on_a_frame_is_one_undo_step(qtbot, window):
    window.state.set_frame(2)
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert {i.source for i in window.project.instances.on_frame(window.state.video_id, 2)} == {"user"}
    window.undo_edit()
    assert [i.source for i in window.project.instances.on_frame(window.state.video_id, 2)].count("predicted") == 2


def test_instance_panel_assigns_class_and_track(qtbot, window):
    window.state.set_frame(2)
    panel = window.panels.instances
    predicted = [i for i in window.project.instances.on_frame(window.state.video_id, 2) if i.is_predicted][0]
    window.state.select(predicted.id)
    assert panel.accept_button.isEnabled()
    panel.track_box.setCurrentIndex(panel.track_box.findText("alice"))
    panel.track_box.activated.emit(panel.track_box.currentIndex())
    changed = window.project.instances.get(predicted.id)
    assert changed.track_id == window.project.tracks.find("alice").id and changed.source == "user"
    panel.add_track("bob")
    assert window.project.tracks.find("bob") is not None
    window.undo_edit()
    assert window.project.tracks.find("bob") is None


def test_suggestions_and_playback(qtbot, window):
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.state.frame_index == 9  # 2 is suggested but already labelled
    key(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.state.frame_index >= 12)
    key(qtbot, window, Qt.Key.Key_Space)
    assert not window.playback.isActive()


def test_shortcuts_can_be_changed_and_are_kept(qtbot, window):
    dialog = ShortcutsDialog(window.actions_by_id, parent=window)
    from PySide6.QtGui import QKeySequence

    dialog.editors["go.next"].setKeySequence(QKeySequence("N"))
    dialog.accept()
    assert load_overrides() == {"go.next": "N"}
    key(qtbot, window, Qt.Key.Key_N)
    assert window.state.frame_index == 1
    sheet = ShortcutsDialog(window.actions_by_id, editable=False, parent=window)
    rows = {sheet.table.item(r, 1).text(): sheet.table.item(r, 2).text() for r in range(sheet.table.rowCount())}
    assert rows["Next Frame"] == "N"
