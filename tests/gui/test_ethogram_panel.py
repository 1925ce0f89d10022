"""The ethogram panel, driven as a coder would: define behaviours in its dialog, add subjects,
press keys to code events; every assertion is on the project store, and undo puts it back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from core.domain import Behaviour, BehaviourEvent
from gui.behaviour_keys import BehaviourKeyFilter, behaviour_for_key, key_bindings, reserved_keys
from gui.ethogram_panel import EthogramPanel
from gui.state import AppState
from gui.undo import UndoController

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, project, video, catalog):
    state = AppState()
    state.set_video(video.id, video.frame_count)
    undo = UndoController(project)
    widget = EthogramPanel(project, undo, state)
    qtbot.addWidget(widget)
    widget.resize(420, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_adding_a_behaviour_in_the_dialog_stores_it_and_undo_removes_it(qtbot, panel, project):
    dialog = panel.open_add_dialog()
    qtbot.keyClicks(dialog.name_edit, "sniff")
    qtbot.keyClicks(dialog.key_edit, "s")
    dialog.set_color("#ff8800")
    dialog.kind_box.setCurrentIndex(1)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    stored = project.behaviours.find("sniff")
    assert (stored.key, stored.color, stored.kind) == ("s", "#ff8800", "point")
    assert panel.table.rowCount() == 3 and panel.table.item(2, 1).text() == "sniff"
    panel.undo_controller.stack.undo()
    assert project.behaviours.find("sniff") is None
    assert panel.table.rowCount() == 2


def test_the_dialog_refuses_a_taken_key_a_taken_name_and_a_window_shortcut(qtbot, panel, project):
    dialog = panel.open_add_dialog()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dialog.name_edit, "Groom")
    assert not ok.isEnabled() and "already a behaviour" in dialog.problem.text()
    dialog.name_edit.setText("walk")
    dialog.key_edit.setText("G")
    assert not ok.isEnabled() and "already codes" in dialog.problem.text()
    for shortcut in sorted(reserved_keys())[:1]:  # e.g. "." steps a frame in the window
        dialog.key_edit.setText(shortcut)
        assert not ok.isEnabled() and "shortcut" in dialog.problem.text()
    dialog.key_edit.setText("w")
    assert ok.isEnabled()
    dialog.reject()
    assert project.behaviours.find("walk") is None


def test_editing_and_deleting_a_behaviour_are_undoable(qtbot, panel, project, video, catalog):
    groom = catalog["groom"]
    project.events.add(BehaviourEvent(video.id, groom.id, 3, 9))
    dialog = panel.open_edit_dialog(groom.id)
    dialog.name_edit.setText("grooming")
    dialog.key_edit.setText("x")
    dialog.accept()
    assert (project.behaviours.get(groom.id).name, project.behaviours.get(groom.id).key) == ("grooming", "x")
    panel.table.selectRow(0)
    panel.delete_behaviour(groom.id)
    assert project.behaviours.find("grooming") is None and project.events.in_video(video.id) == []
    panel.undo_controller.stack.undo()
    assert len(project.events.in_video(video.id)) == 1
    panel.undo_controller.stack.undo()
    assert project.behaviours.get(groom.id).name == "groom"


def test_a_key_starts_a_state_event_and_a_second_press_stops_it(qtbot, panel, project, video, catalog):
    panel.state.set_frame(10)
    qtbot.keyClick(panel.table, "g")  # a real key press to the focused table
    (event,) = project.events.in_video(video.id)
    assert (event.behaviour_id, event.start_frame, event.end_frame) == (catalog["groom"].id, 10, None)
    assert panel.running == {catalog["groom"].id: 10}
    assert panel.table.item(0, 4).text() == "▶ 10" and panel.table.item(0, 1).font().bold()
    panel.state.set_frame(27)
    assert panel.handle_key("g")
    assert project.events.get(event.id).end_frame == 27
    assert panel.running == {} and panel.table.item(0, 4).text() == ""
    panel.undo_controller.stack.undo()
    assert project.events.get(event.id).is_open


def test_a_point_behaviour_key_marks_one_frame(qtbot, panel, project, video, catalog):
    panel.state.set_frame(42)
    qtbot.keyClick(panel, "r")
    (event,) = project.events.in_video(video.id)
    assert (event.behaviour_id, event.start_frame, event.end_frame) == (catalog["rear"].id, 42, 42)


def test_digits_code_the_first_behaviours_unless_a_key_claims_them(qtbot, panel, project, video, catalog):
    panel.state.set_frame(5)
    assert panel.handle_key("2")  # the second behaviour, rear (a point event)
    (event,) = project.events.in_video(video.id)
    assert event.behaviour_id == catalog["rear"].id
    panel.add_behaviour(Behaviour("walk", "1", "#123456"))
    assert panel.handle_key("1")
    assert project.events.open_event(video.id, project.behaviours.find("walk").id, None) is not None
    assert not panel.handle_key("q") and not panel.handle_key("9")
    assert panel.table.item(0, 2).text() == "g"  # "1" is walk's now
    assert panel.table.item(1, 2).text() == "r / 2"


def test_subjects_code_separately_and_adding_one_is_undoable(qtbot, panel, project, video, catalog):
    dialog = panel.open_subject_dialog()
    dialog.setTextValue("carol")
    dialog.accept()
    carol = project.tracks.find("carol")
    assert carol is not None and panel.subject_id == carol.id
    panel.state.set_frame(3)
    panel.handle_key("g")
    panel.set_subject(None)
    panel.handle_key("g")
    subjects = sorted((e.subject_id or 0) for e in project.events.in_video(video.id))
    assert subjects == [0, carol.id]
    panel.set_subject(carol.id)
    assert panel.running == {catalog["groom"].id: 3}
    panel.undo_controller.stack.undo()
    panel.undo_controller.stack.undo()
    panel.undo_controller.stack.undo()
    assert project.tracks.find("carol") is None and panel.subject_id is None


def test_a_refused_stop_explains_why_and_records_nothing(qtbot, panel, project, video):
    panel.state.set_frame(30)
    panel.handle_key("g")
    panel.state.set_frame(20)
    with qtbot.waitSignal(panel.message) as said:
        assert panel.handle_key("g")
    assert "started at frame 30" in said.args[0]
    assert panel.undo_controller.stack.count() == 1


def test_key_rule(catalog):
    behaviours = [catalog["groom"], catalog["rear"], Behaviour("sit", "2", id=99)]
    bindings = key_bindings(behaviours)
    assert bindings["1"].name == "groom" and bindings["2"].name == "sit" and bindings["3"].name == "sit"
    assert behaviour_for_key(behaviours, "G").name == "groom" and behaviour_for_key(behaviours, "") is None


def test_the_key_filter_codes_from_anywhere_in_the_window_but_not_while_typing(qtbot, project, video, catalog):
    from PySide6.QtWidgets import QLineEdit, QListWidget, QMainWindow, QVBoxLayout, QWidget

    state = AppState()
    state.set_video(video.id, video.frame_count)
    window = QMainWindow()
    qtbot.addWidget(window)
    panel = EthogramPanel(project, UndoController(project), state)
    videos, search = QListWidget(), QLineEdit()
    videos.addItems(["cage1.mp4", "groom.mp4"])  # a list would take "g" for type-ahead search
    central = QWidget()
    column = QVBoxLayout(central)
    for widget in (videos, search, panel):
        column.addWidget(widget)
    window.setCentralWidget(central)
    BehaviourKeyFilter(window, panel.handle_key).install()
    window.show()
    qtbot.waitExposed(window)
    state.set_frame(7)
    qtbot.keyClick(videos, "g")
    (event,) = project.events.in_video(video.id)
    assert (event.start_frame, event.is_open) == (7, True)
    qtbot.keyClick(search, "g")  # typing text: the key is the field's
    assert search.text() == "g" and project.events.get(event.id).is_open
    qtbot.keyClick(videos, "g", Qt.KeyboardModifier.ControlModifier)  # not a plain key
    assert project.events.get(event.id).is_open
