"""Training, prediction and evaluation jobs against a real project, with a toy task so the
orchestration is tested without a real network: run and model records, the label snapshot,
batched predictions that replace earlier ones, resume, cancel, and plain metric names."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from core.cli.main import main
from core.domain import Box, Instance
from core.ml.jobs.evaluate_job import evaluate
from core.ml.jobs.predict_job import predict_video
from core.ml.jobs.train_job import train
from core.ml.tasks.errors import TrainingDataError
from core.ml.trainer import TrainConfig
from core.workflows.videos import add_videos

sys.path.insert(0, str(Path(__file__).parent))


def test_train_records_the_run_and_the_model(project, labelled, toy_task):
    events = []
    model = train(project, "toy", {}, TrainConfig(epochs=3, lr=0.05, warmup_steps=1), events.append)
    (run,) = project.training_runs.all()
    assert run.status == "finished" and run.model_id == model.id and run.metrics["epochs"] == 3
    assert run.label_snapshot["frames_labeled"] == 4 and len(run.label_snapshot["hash"]) == 16
    assert (project.folder / model.path / "best.pt").is_file()
    assert model.metrics["val_loss"] >= 0 and project.counts().models == 1
    assert events[0]["event"] == "run" and events[-1]["event"] == "finished" and events[-1]["model_id"] == model.id


def test_no_labels_is_a_clear_error_and_records_nothing(project, tiny_video, toy_task):
    add_videos(project, [tiny_video])
    with pytest.raises(TrainingDataError, match="no labels"):
        train(project, "toy", {}, TrainConfig(epochs=1))
    assert project.training_runs.all() == [] and project.models.all() == []


def test_predict_writes_batches_replaces_old_predictions_and_resumes(project, labelled, toy_task):
    model = train(project, "toy", {}, TrainConfig(epochs=1))
    project.instances.add(Instance(labelled.id, 3, box=Box(0, 0, 1, 1), source="predicted", score=0.1, model_id=model.id))
    cancel = threading.Event()
    events = []

    def emit(event):
        events.append(event)
        if event["event"] == "progress" and event["done"] >= 8:
            cancel.set()

    first = predict_video(project, labelled.id, model.id, batch_size=4, emit=emit, cancel=cancel)
    assert first.stopped and first.frames == 8
    assert project.instances.frames_predicted_by(labelled.id, model.id) == set(range(8))
    (replaced,) = project.instances.on_frame(labelled.id, 3, source="predicted")
    assert replaced.model_id == model.id and replaced.score == pytest.approx(0.9)
    rest = predict_video(project, labelled.id, model.id, batch_size=4, resume=True)
    assert rest.frames == 12 and not rest.stopped
    assert project.counts().instances_predicted == 20
    assert len(project.instances.on_frame(labelled.id, 5, source="user")) == 1  # labels untouched


def test_evaluate_on_held_out_labels_names_its_figures(project, labelled, toy_task):
    train(project, "toy", {}, TrainConfig(epochs=1))
    report = evaluate(project)
    assert report["evaluated_on"] == "held_out_labels" and report["frames"] >= 1
    assert report["box_map50"] == pytest.approx(1.0)


def test_evaluate_against_the_demo_truth_only_when_named_and_only_in_a_demo(project, labelled, toy_task, capsys):
    train(project, "toy", {}, TrainConfig(epochs=1))
    assert main(["evaluate", str(project.folder), "--truth", "demo"]) == 1
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "is not a demo project" in error and "--truth held-out" in error


def test_cli_reports_bad_requests_in_one_line(project, tiny_video, capsys):
    add_videos(project, [tiny_video])
    folder = str(project.folder)
    assert main(["train", folder, "--task", "pose", "--epochs", "1", "--option", "nonsense"]) == 1
    assert "KEY=VALUE" in capsys.readouterr().err
    assert main(["train", folder, "--task", "detect", "--epochs", "1"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("ethoframe train: error:") and len(error.strip().splitlines()) == 1
    assert main(["evaluate", folder, "--json"]) == 1
    assert "no trained model" in capsys.readouterr().err
    assert project.training_runs.all() == []


@pytest.mark.slow
def test_resume_skips_the_frames_searched_before_even_where_nothing_was_found(project, labelled, toy_task):
    model = train(project, "toy", {}, TrainConfig(epochs=1))
    cancel = threading.Event()

    def emit(event):
        if event["event"] == "progress" and event["done"] >= 8:
            cancel.set()

    assert predict_video(project, labelled.id, model.id, batch_size=4, emit=emit, cancel=cancel).frames == 8
    for frame in (2, 3):  # the model found nothing there (or the user rejected what it found)
        for instance in project.instances.on_frame(labelled.id, frame, source="predicted"):
            project.instances.delete(instance.id)
    rest = predict_video(project, labelled.id, model.id, batch_size=4, resume=True)
    assert rest.frames == 12  # frames 8-19 only: 2 and 3 were searched already
    assert project.instances.frames_predicted_by(labelled.id, model.id) == set(range(20)) - {2, 3}
    assert predict_video(project, labelled.id, model.id, resume=True).frames == 0  # nothing left to search
