"""Predict from the dialog: on the current frame and the suggested frames in-process (a toy task
registered in this process: its brightness-scored boxes need no training), cancel, and the
background-process path through the real JobRunner (its failure reaches the user in words)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool

from core.domain import ModelRecord, Suggestion
from core.ml.checkpoint import save_checkpoint
from core.ml.tasks import registry

pytestmark = pytest.mark.gui


@pytest.fixture
def toy_model(review_window, monkeypatch):
    """The fixture's model gets a checkpoint; its task "toy" is `toy_review_task` (in this process)."""
    window, _ = review_window
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    import toy_review_task

    save_checkpoint(window.project.folder / "models" / "toy" / "best.pt", {"task": "toy"})
    with registry.registered(toy_review_task.TASK):
        yield
        QThreadPool.globalInstance().waitForDone(10000)  # no worker outlives its project folder


def run_dialog(qtbot, dialog, timeout: int = 60000) -> dict:
    with qtbot.waitSignal(dialog.done, timeout=timeout) as blocker:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def predicted_frames(window) -> dict[int, float]:
    video_id = window.state.video_id
    found = window.project.instances.on_frames(video_id, 0, window.state.frame_count, source="predicted")
    return {frame: instances[0].score for frame, instances in found.items()}


def test_predicting_the_current_frame_draws_it_and_adds_it_to_the_review(qtbot, review_window, toy_model):
    window, controller = review_window
    window.state.set_frame(5)
    dialog = controller.show_predict_dialog()
    assert dialog.model_box.currentText() == "#1 toy model (toy)" and dialog.scope == "frame"
    written = []
    dialog.predictions_written.connect(lambda: written.append(1))
    event = run_dialog(qtbot, dialog)
    assert event["event"] == "finished" and event["frames"] == 1 and written
    assert predicted_frames(window)[5] == pytest.approx(50 / 255, abs=0.02)  # frame 5 is 50 grey
    assert [item.instance.score for item in window.view.instance_items] == [pytest.approx(50 / 255, abs=0.02)]
    qtbot.waitUntil(lambda: not controller.panel.busy)  # the queue is ranked on a worker
    assert controller.panel.frame_list.item(0).data(Qt.ItemDataRole.UserRole) == 5  # the least sure now
    assert dialog.progress.value() == dialog.progress.maximum() == 1 and dialog.start_button.isEnabled()
    assert window.message_log.texts()[0] == "Prediction done: 1 predictions on 1 frames"  # kept, not a 5-s line
    dialog.close()
    again = controller.show_predict_dialog()  # reopened: the last run's result is not shown as if current
    assert again.status.text() == "" and again.progress.value() == 0


def test_suggested_frames_are_predicted_and_user_labels_kept(qtbot, review_window, toy_model):
    window, controller = review_window
    video_id = window.state.video_id
    window.project.suggestions.replace(video_id, "uniform", [Suggestion(video_id, f, "uniform") for f in (1, 3, 18)])
    dialog = controller.show_predict_dialog()
    assert dialog.scopes["suggested"].text() == "Suggested frames (3)"
    dialog.set_scope("suggested")
    assert run_dialog(qtbot, dialog)["frames"] == 3
    frames = predicted_frames(window)
    assert {1, 3, 18} <= set(frames) and frames[3] == pytest.approx(30 / 255, abs=0.02)
    assert len(window.project.instances.on_frame(video_id, 3, source="user")) == 1  # the label stays


def test_cancel_stops_after_the_batch_and_keeps_it(qtbot, review_window, toy_model):
    window, controller = review_window
    dialog = controller.show_predict_dialog()
    dialog.in_process = True  # the whole video, but on the worker: the child could not see the toy task
    dialog.set_scope("video")
    with qtbot.waitSignal(dialog.done, timeout=60000) as blocker:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        assert dialog.cancel_button.isEnabled() and not dialog.start_button.isEnabled()
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0]["event"] == "cancelled" and blocker.args[0]["frames"] == 8  # one batch
    assert set(range(8)) <= set(predicted_frames(window)) and 10 not in predicted_frames(window)
    assert dialog.status.text().startswith("Stopped: 8 frames")


def test_the_model_chosen_in_the_models_panel_is_preselected(review_window):
    window, controller = review_window
    newer = window.project.models.add(ModelRecord("newer", "detect", "models/newer"))
    assert controller.show_predict_dialog().model_id == newer.id  # the newest by default
    window.chosen_model_id = 1
    assert controller.show_predict_dialog().model_id == 1


@pytest.mark.slow
def test_a_failing_background_job_tells_why(qtbot, review_window, monkeypatch):
    """The real process path (`ethoframe predict` via JobRunner): here the model's checkpoint is
    missing, so the job exits with an error that the dialog shows (the child knows the toy task
    from `child_site/sitecustomize.py`)."""
    window, controller = review_window
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent / "child_site"))
    dialog = controller.show_predict_dialog()
    dialog.set_scope("range")
    dialog.first_box.setValue(2)
    dialog.last_box.setValue(4)
    event = run_dialog(qtbot, dialog)
    assert dialog.runner.command[:7] == ["predict", str(window.project.folder), "--video", "1", "--model", "1", "--frames"]
    assert dialog.runner.command[7] == "2:5"
    assert event["event"] == "failed" and "best.pt does not exist" in event["reason"]
    assert "Prediction failed" in dialog.status.text() and dialog.start_button.isEnabled()
    assert predicted_frames(window) == {3: pytest.approx(0.9), 7: pytest.approx(0.6), 12: pytest.approx(0.95), 15: pytest.approx(0.2)}


@pytest.mark.slow
def test_the_whole_video_runs_in_the_background_process_and_streams_in(qtbot, review_window, toy_model, monkeypatch):
    """The real path: `ethoframe predict --events-json` in a child process (which learns the toy
    task from `child_site/sitecustomize.py`), its progress drawn on the canvas as batches land."""
    window, controller = review_window
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent / "child_site"))
    dialog = controller.show_predict_dialog()
    dialog.set_scope("video")
    seen_on_canvas = []
    dialog.predictions_written.connect(lambda: seen_on_canvas.append([i.instance.score for i in window.view.instance_items]))
    event = run_dialog(qtbot, dialog, timeout=120000)
    assert dialog.runner.command == ["predict", str(window.project.folder), "--video", "1", "--model", "1", "--events-json"]
    assert event["event"] == "finished" and event["frames"] == 20 and event["instances"] == 20
    assert seen_on_canvas[0] == [pytest.approx(0.0, abs=0.02)]  # frame 0 (black), drawn after the first batch
    assert len(seen_on_canvas) >= 3  # a redraw per batch of 8, and one at the end
    assert len(predicted_frames(window)) == 20 and dialog.progress.value() == 20
    qtbot.waitUntil(lambda: not controller.panel.busy)
    assert controller.panel.summary.text() == "20 frames to review"


def test_a_whole_video_task_predicts_only_the_whole_video_through_its_task(qtbot, review_window, monkeypatch):
    """A behaviour-like model: the dialog offers only "Whole video", and the run goes through
    the model's task (here in this process), whose events reach the store."""
    window, controller = review_window
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    import toy_review_task

    model = window.project.models.add(ModelRecord("bouts", "toy-video", "models/bouts"))
    with registry.registered(toy_review_task.WHOLE_VIDEO_TASK):
        dialog = controller.show_predict_dialog()
        dialog.model_box.setCurrentIndex(dialog.model_box.findData(model.id))
        assert dialog.scope == "video" and dialog.scopes["video"].isEnabled()
        assert not any(dialog.scopes[s].isEnabled() for s in ("frame", "range", "suggested"))
        dialog.in_process = True
        event = run_dialog(qtbot, dialog)
        QThreadPool.globalInstance().waitForDone(10000)
    assert event["event"] == "finished" and dialog.status.text() == "Done: 1 behaviour events."
    (bout,) = window.project.events.in_video(window.state.video_id, source="predicted")
    assert (bout.start_frame, bout.end_frame, bout.model_id) == (2, 6, model.id)
    dialog.model_box.setCurrentIndex(dialog.model_box.findData(1))  # back to a frame model: every scope again
    assert dialog.scopes["frame"].isEnabled()
