"""The review dock driven as a user would: the list in review order, clicking to jump, accepting
and rejecting with undo, accept-all under a threshold, the threshold and show/hide on the
canvas, stepping through the order. Assertions are on the store and on what the canvas draws."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDockWidget

pytestmark = pytest.mark.gui


def listed_frames(panel) -> list[int]:
    return [panel.frame_list.item(r).data(Qt.ItemDataRole.UserRole) for r in range(panel.frame_list.count())]


def click_row(qtbot, panel, row: int) -> None:
    item = panel.frame_list.item(row)
    rect = panel.frame_list.visualItemRect(item)
    qtbot.mouseClick(panel.frame_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def predicted_on(window, frame: int):
    return window.project.instances.on_frame(window.state.video_id, frame, source="predicted")


def drawn_scores(window) -> list[float | None]:
    return sorted(item.instance.score for item in window.view.instance_items if item.instance.is_predicted)


def test_the_dock_lists_predicted_frames_lowest_confidence_first(review_window):
    window, controller = review_window
    assert window.findChild(QDockWidget, "review").widget() is controller.panel
    panel = controller.panel
    assert listed_frames(panel) == [15, 3, 7, 12]
    assert panel.frame_list.item(1).text() == "frame 3  ·  lowest score 0.40 (2 predictions)"
    assert panel.summary.text() == "4 frames to review"
    panel.order_box.setCurrentIndex(1)  # disagreement with the previous frame: none is adjacent here
    assert sorted(listed_frames(panel)) == [3, 7, 12, 15]


def test_clicking_a_frame_jumps_there_and_draws_its_predictions(qtbot, review_window):
    window, controller = review_window
    click_row(qtbot, controller.panel, 1)
    assert window.state.frame_index == 3
    assert drawn_scores(window) == [pytest.approx(0.4), pytest.approx(0.9)]
    assert controller.panel.frame_list.currentRow() == 1


def test_accepting_makes_a_user_label_and_undo_turns_it_back(qtbot, review_window):
    window, controller = review_window
    window.state.set_frame(7)
    (prediction,) = predicted_on(window, 7)
    window.state.select(prediction.id)
    qtbot.mouseClick(controller.panel.accept_button, Qt.MouseButton.LeftButton)
    accepted = window.project.instances.get(prediction.id)
    assert accepted.source == "user" and accepted.model_id == prediction.model_id
    assert 7 not in listed_frames(controller.panel)  # nothing left to review there
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.project.instances.get(prediction.id).source == "predicted"
    assert listed_frames(controller.panel) == [15, 3, 7, 12]


def test_reject_deletes_the_false_positive_undoably(qtbot, review_window):
    window, controller = review_window
    window.state.set_frame(15)
    (prediction,) = predicted_on(window, 15)
    window.state.select(prediction.id)
    qtbot.mouseClick(controller.panel.reject_button, Qt.MouseButton.LeftButton)
    assert predicted_on(window, 15) == [] and window.state.selected_instance is None
    assert drawn_scores(window) == []
    window.undo_edit()
    assert [i.id for i in predicted_on(window, 15)] == [prediction.id]


def test_accept_all_accepts_only_what_the_threshold_shows(qtbot, review_window):
    window, controller = review_window
    window.state.set_frame(3)
    controller.panel.set_threshold(0.5)
    qtbot.mouseClick(controller.panel.accept_all_button, Qt.MouseButton.LeftButton)
    sources = {round(i.score, 2): i.source for i in window.project.instances.on_frame(window.state.video_id, 3) if i.score}
    assert sources == {0.9: "user", 0.4: "predicted"}
    assert window.project.counts().instances_user == 2  # the label that was there, and the accepted one
    window.undo_edit()
    assert len(predicted_on(window, 3)) == 2


def test_threshold_and_toggle_hide_predictions_from_the_canvas(qtbot, review_window):
    window, controller = review_window
    panel = controller.panel
    window.state.set_frame(3)
    assert drawn_scores(window) == [pytest.approx(0.4), pytest.approx(0.9)]
    panel.threshold_slider.setValue(50)  # as a drag would
    assert window.view.score_threshold == pytest.approx(0.5) and panel.threshold_label.text() == "0.50"
    assert drawn_scores(window) == [pytest.approx(0.9)]
    qtbot.waitUntil(lambda: not panel.busy)  # re-ranked on a worker
    assert listed_frames(panel) == [7, 3, 12]  # frame 15's only prediction is hidden; 3 now ranks by 0.9
    qtbot.mouseClick(panel.show_box, Qt.MouseButton.LeftButton, pos=QPoint(8, panel.show_box.height() // 2))
    assert not window.view.show_predictions and drawn_scores(window) == []
    assert len(window.view.instance_items) == 1  # the user label stays
    controller.toggle_predictions()  # what View ▸ Show/Hide Predictions will call
    assert drawn_scores(window) == [pytest.approx(0.9)]


def test_next_and_previous_follow_the_review_order(qtbot, review_window):
    window, controller = review_window
    panel = controller.panel
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert window.state.frame_index == 15  # not in the queue yet: its first frame
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.state.frame_index == 3
    controller.accept_all_on_frame()  # frame 3 leaves the queue; "next" goes on from its place
    assert 3 not in listed_frames(panel)
    controller.step_next()
    assert window.state.frame_index == 7
    controller.step_previous()
    assert window.state.frame_index == 15
    controller.step_previous()
    assert window.state.frame_index == 15  # the first: stays, and says so


def test_a_new_project_replaces_the_panel_and_the_actions(qtbot, review_window):
    window, controller = review_window
    names = [a.objectName() for a in window.actions() if a.objectName().startswith("action_review")]
    assert names == ["action_review_next", "action_review_previous"]
    controller.dispose()
    controller.dispose()  # twice is harmless (window closing after a project switch)
    again = type(controller)(window, window.project, window.undo_controller, window.state, window.push_edit)
    assert window.findChild(QDockWidget, "review").widget() is again.panel
    assert [a.objectName() for a in window.actions()].count("action_review_next") == 1
