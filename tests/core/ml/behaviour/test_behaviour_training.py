"""The behaviour task end to end on tiny rendered demo worlds: the feature cache is reused,
a few real training epochs lower the loss, predictions become events in the store and can be
re-thresholded live, evaluation reports plain figures, and bad coding is refused clearly or
fixed with a warning, never a crash."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.demo import WorldConfig
from core.domain import BehaviourEvent
from core.ml.events import collect
from core.ml.jobs.train_job import train
from core.ml.tasks import registry
from core.ml.tasks.behaviour import build_adapter
from core.ml.tasks.behaviour.evaluate import evaluate_behaviour
from core.ml.tasks.behaviour.jobs import (
    apply_thresholds,
    check_behaviour_data,
    load_probabilities,
    predict_behaviour,
)
from core.ml.tasks.errors import TrainingDataError
from core.ml.trainer import TrainConfig
from core.demo.project import create_demo_project

FAST = {"samples_per_epoch": 64, "batch_size": 8, "window": 32, "hidden": 32, "split_block": 10}
# Seed 3 with two mice: walk and rest are both coded in the first half (mouse 2 rests).
WORLD = WorldConfig(width=160, height=120, seconds=4, n_animals=2, seed=3)


@pytest.fixture(autouse=True)
def _behaviour_task():
    assert registry.get("behaviour").name == "behaviour"
    torch.set_num_threads(1)


def _project(tmp_path, config=WORLD, coded_fraction=0.5):
    return create_demo_project(tmp_path / "p", config, labeled_frames=8, coded_fraction=coded_fraction)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    torch.set_num_threads(1)
    with create_demo_project(tmp_path_factory.mktemp("tiny") / "p", WORLD, labeled_frames=8, coded_fraction=0.5) as project:
        events: list[dict] = []
        model = train(project, "behaviour", FAST, TrainConfig(epochs=8, lr=3e-3, warmup_steps=2, patience=0), collect(events))
        yield project, model, events


def test_the_loss_goes_down_and_a_model_is_recorded(trained):
    _, model, events = trained
    losses = [e["loss"] for e in events if e["event"] == "step"]
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])
    epoch = [e for e in events if e["event"] == "epoch"][-1]
    assert "val_macro_f1" in epoch["metrics"] and "val_f1_walk" in epoch["metrics"]
    assert model.task == "behaviour" and {b["name"] for b in model.config["adapter"]["behaviours"]} == {"walk", "rest"}
    assert any("no events of turn" in w for w in model.config["adapter"]["warnings"])


def test_predictions_become_events_and_follow_live_thresholds(trained):
    project, model, _ = trained
    video_id = project.videos.all()[0].id
    project.events.add(BehaviourEvent(video_id, 1, 0, 3, None, source="predicted", score=0.1))  # an older prediction
    summary = predict_behaviour(project, model.id, video_id)
    predicted = project.events.in_video(video_id, source="predicted")
    assert summary.events == len(predicted) > 0 and summary.subjects == 2
    assert all(e.model_id == model.id and e.subject_id is not None for e in predicted)  # the old one was replaced
    assert all(len(e.probabilities) == e.end_frame - e.start_frame + 1 for e in predicted)
    user_before = len(project.events.in_video(video_id, source="user"))

    result = load_probabilities(project, video_id, model.id)
    assert result.probabilities.shape == (2, 120, 2) and result.exclusive
    strict = result.to_events(thresholds=0.99, min_duration=1)
    loose = result.to_events(thresholds=0.0, min_duration=1)
    assert sum(e.end_frame - e.start_frame + 1 for e in strict) <= sum(e.end_frame - e.start_frame + 1 for e in loose)
    written = apply_thresholds(project, video_id, thresholds={1: 0.0}, min_duration=60)
    assert written == len(project.events.in_video(video_id, source="predicted"))
    assert len(project.events.in_video(video_id, source="user")) == user_before  # user events untouched


def test_evaluation_reports_plain_figures(trained):
    from core.demo.truth_source import DemoTruth

    project, model, _ = trained
    report = evaluate_behaviour(project, model.id, truth=DemoTruth.of(project))  # the demo's truth only when asked
    assert report["evaluated_on"] == "demo_ground_truth" and report["frames"] > 0
    assert 0.0 <= report["macro_f1_frame"] <= 1.0 and report["macro_f1_event"] is not None
    assert set(report["per_behaviour"]["walk"]) >= {"precision", "recall", "f1", "event_f1"}
    matrix = np.array(report["confusion"]["matrix"])
    assert matrix.shape == (len(report["confusion"]["labels"]),) * 2 and matrix.sum() == report["frames"]
    held_out = evaluate_behaviour(project, model.id)  # by default: the coded frames training held out
    assert held_out["evaluated_on"] == "held_out_events" and 0 < held_out["frames"] < report["frames"]


def test_the_cli_predicts_and_evaluates_a_behaviour_model_through_its_task(trained, capsys):
    from core.cli.main import main

    project, model, _ = trained
    folder = str(project.folder)
    assert main(["predict", folder, "--model", str(model.id), "--device", "cpu"]) == 0
    assert "predicted behaviour events for 2 subject(s)" in capsys.readouterr().out
    assert main(["predict", folder, "--model", str(model.id), "--frames", "0:10"]) == 1
    assert "predicts whole videos" in capsys.readouterr().err
    assert main(["evaluate", folder, "--model", str(model.id), "--truth", "demo", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "(demo ground truth)" in out and "macro F1 frames" in out and "confusion" in out
    assert main(["evaluate", folder, "--model", str(model.id), "--device", "cpu"]) == 0
    assert "(held out events)" in capsys.readouterr().out


def test_the_feature_cache_is_reused(trained):
    project, _, _ = trained
    adapter = build_adapter(project, FAST)
    assert adapter.features.computed == []  # every video feature came from the cache
    assert list((project.folder / "models" / ".features").glob("*.npy"))


def test_only_one_behaviour_coded_is_refused(tmp_path):
    with _project(tmp_path, WorldConfig(width=160, height=120, seconds=4, n_animals=1, seed=0)) as project:
        with pytest.raises(TrainingDataError, match="only one behaviour"):
            build_adapter(project, FAST)
        assert not check_behaviour_data(project)["ok"]


def test_no_events_is_refused(tmp_path):
    with _project(tmp_path, coded_fraction=0.0) as project, pytest.raises(TrainingDataError, match="no behaviour events"):
        build_adapter(project, FAST)


def test_overlapping_exclusive_events_are_left_out_with_a_warning(tmp_path):
    with _project(tmp_path) as project:
        video_id = project.videos.all()[0].id
        groom_id = project.behaviours.find("groom").id
        track = min(t.id for t in project.tracks.all())
        project.events.add(BehaviourEvent(video_id, groom_id, 10, 40, track))  # over the coded walk
        forced = check_behaviour_data(project, {"multilabel": False})
        assert forced["ok"] and forced["exclusive"] and any("overlap" in w for w in forced["warnings"])
        adapter = build_adapter(project, {**FAST, "multilabel": False, "video": False})  # labels only: no features
        sequence = next(s for s in adapter.labels.sequences if s.subject_id == track)
        assert not sequence.coded[10:41].any()
        assert check_behaviour_data(project)["exclusive"] is False  # auto: a subject does both at once


def test_events_outside_the_video_and_open_events_are_fixed_with_warnings(tmp_path):
    with _project(tmp_path) as project:
        video_id = project.videos.all()[0].id
        rest = project.behaviours.find("rest").id
        project.events.add_many([
            BehaviourEvent(video_id, rest, 500, 600, None),  # after the last frame
            BehaviourEvent(video_id, rest, 100, 900, None),  # reaching past it
            BehaviourEvent(video_id, rest, 30, None, None),  # started, never stopped
        ])  # fmt: skip
        report = check_behaviour_data(project)
        text = " ".join(report["warnings"])
        assert report["ok"] and "outside" in text and "cut" in text and "never stopped" in text
        adapter = build_adapter(project, {**FAST, "video": False})
        whole = next(s for s in adapter.labels.sequences if s.subject_id is None)
        assert whole.coded.shape == (120,) and whole.coded[100:].all()


def _tracked_project(tmp_path, config=WORLD):
    from core.demo import GroundTruth
    from core.demo.project import add_tracked_truth_poses, truth_path

    project = _project(tmp_path, config)
    add_tracked_truth_poses(project, GroundTruth.load(truth_path(project)), noise_px=1.0)
    return project


@pytest.mark.slow
def test_tracked_subjects_train_on_pose_features_alone_unless_video_is_asked_for(tmp_path):
    with _tracked_project(tmp_path) as project:
        adapter = build_adapter(project, FAST)
        assert adapter.config.video is False and adapter.layout.frame_dims == 0 and adapter.layout.n_nodes == 6
        assert adapter.layout.n_joints == 7  # the mouse skeleton's joint angles are in the features
        both = build_adapter(project, {**FAST, "video": "true"})
        assert both.layout.frame_dims > 0 and both.inputs[0].shape[1] == both.layout.dims


def test_self_training_labels_uncoded_frames_and_the_loss_still_goes_down(tmp_path):
    with _tracked_project(tmp_path) as project:
        events: list[dict] = []
        options = {**FAST, "pseudo_after": 2, "pseudo_every": 1, "pseudo_threshold": 0.6}
        train(project, "behaviour", options, TrainConfig(epochs=8, lr=3e-3, warmup_steps=2, patience=0), collect(events))
        epochs = [e for e in events if e["event"] == "epoch"]
        assert "pseudo_labelled" not in epochs[0]["metrics"] and 0 < epochs[-1]["metrics"]["pseudo_labelled"] <= 1
        losses = [e["loss"] for e in events if e["event"] == "step"]
        assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])
