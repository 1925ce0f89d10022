"""The frame classification task ("classify") on a tiny rendered demo world: behaviours coded for
the whole frame (no subject) train through the CLI with the loss going down, predictions are
whole-frame events of the classify model that leave a per-animal behaviour model's predicted
events on the same video alone (and the other way round), live re-thresholding keeps to its own
task's events, and evaluation scores the held-out whole-frame events."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.cli.main import main
from core.demo import GroundTruth, WorldConfig
from core.demo.project import create_demo_project, truth_path
from core.domain import BehaviourEvent
from core.ml.events import collect
from core.ml.jobs.train_job import train
from core.ml.tasks import registry
from core.ml.tasks.behaviour.jobs import apply_thresholds, load_probabilities, predict_behaviour, predicted_models
from core.ml.tasks.behaviour.postprocess import runs
from core.ml.trainer import TrainConfig
from core.project import Project

FAST = {"samples_per_epoch": 64, "batch_size": 8, "window": 32, "hidden": 32, "split_block": 10}
WORLD = WorldConfig(width=160, height=120, seconds=4, n_animals=2, seed=3)


def _options(options: dict) -> list[str]:
    return [arg for key, value in options.items() for arg in ("--option", f"{key}={value}")]


def code_whole_frame(project: Project) -> None:
    """Whole-frame events (no subject) over the whole video: "walk" where any mouse walks, else
    "rest" (what a DeepEthogram user codes when the arena shows one thing at a time)."""
    truth = GroundTruth.load(truth_path(project))
    video_id = project.videos.all()[0].id
    walking = np.zeros(truth.n_frames, bool)
    for track_id in truth.track_ids:
        for name, start, end in truth.behaviour_bouts(track_id):
            if name == "walk":
                walking[start : end + 1] = True
    walk, rest = project.behaviours.find("walk").id, project.behaviours.find("rest").id
    values, starts, lengths = runs(walking)
    project.events.add_many([BehaviourEvent(video_id, walk if v else rest, int(s), int(s + n - 1), None)
                             for v, s, n in zip(values, starts, lengths)])  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A demo project with per-animal events (half the video) and a behaviour model trained on
    them, not yet any whole-frame event."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("classify") / "p"
    with create_demo_project(folder, WORLD, labeled_frames=8, coded_fraction=0.5) as project:
        behaviour = train(project, "behaviour", FAST, TrainConfig(epochs=2, lr=3e-3, warmup_steps=2, patience=0))
    yield folder, behaviour
    torch.set_num_threads(threads)


def test_classify_is_registered_and_says_what_it_needs(world):
    folder, _ = world
    task = registry.get("classify")
    assert "classify" in registry.names() and task.display_name == "Frame classification (whole frame, from pixels)"
    with Project.open(folder) as project:
        reason = task.availability(project)  # per-animal events only
        assert reason is not None and "whole frame" in reason and "two behaviours" in reason
        assert registry.get("behaviour").availability(project) is None
    config = task.options({"hidden": 32})
    assert config.video is True and config.pose is False and config.subjects == "frame" and config.hidden == 32
    with pytest.raises(ValueError, match="always uses pose=false"):
        task.options({"pose": "true"})


@pytest.fixture(scope="module")
def classified(world, tmp_path_factory):
    """The world with whole-frame events coded and a classify model trained through the CLI."""
    folder, behaviour = world
    with Project.open(folder) as project:
        code_whole_frame(project)
        assert registry.get("classify").availability(project) is None
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["train", str(folder), "--task", "classify", "--epochs", "8", "--lr", "0.003", "--device", "cpu",
                     "--events-json", *_options(FAST)])  # fmt: skip
    torch.set_num_threads(threads)
    assert code == 0, out.getvalue()[-2000:]
    events = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    with Project.open(folder) as project:
        model = project.models.newest("classify")
    return folder, behaviour, model, events


def test_classify_trains_through_the_cli_on_whole_frame_events_only(classified):
    _, _, model, events = classified
    losses = [e["loss"] for e in events if e["event"] == "step"]
    assert np.mean(losses[-5:]) < 0.6 * np.mean(losses[:5])
    assert model.task == "classify" and "val_macro_f1" in model.metrics
    state = model.config["adapter"]
    assert state["whole_frame"] and not state["per_subject"] and state["config"]["subjects"] == "frame"
    assert state["layout"]["video"] and not state["layout"]["pose"] and state["pose_dims"] == 0
    assert {b["name"] for b in state["behaviours"]} == {"walk", "rest"}


def test_a_classify_checkpoint_is_refused_as_a_behaviour_one(classified):
    from core.ml.checkpoint import load_checkpoint
    from core.ml.tasks.behaviour import load_predictor

    folder, _, model, _ = classified
    payload = load_checkpoint(folder / model.path / "best.pt", "classify")
    with pytest.raises(ValueError, match="classify model, not a behaviour model"):
        load_predictor(payload, "cpu")
    assert registry.load_predictor(payload, "cpu").state["whole_frame"]


def test_predictions_of_the_two_tasks_live_side_by_side(classified, capsys):
    folder, behaviour, model, _ = classified
    with Project.open(folder) as project:
        video_id = project.videos.all()[0].id
        project.events.add(BehaviourEvent(video_id, 1, 0, 3, None, source="predicted", score=0.1))  # of no model
        predict_behaviour(project, behaviour.id, video_id, device="cpu")
        per_animal = project.events.in_video(video_id, source="predicted")
        assert per_animal and all(e.model_id == behaviour.id for e in per_animal)  # the old one was replaced
    assert main(["predict", str(folder), "--model", str(model.id), "--device", "cpu"]) == 0
    assert "predicted whole-frame events" in capsys.readouterr().out
    with Project.open(folder) as project:
        predicted = project.events.in_video(video_id, source="predicted")
        mine = [e for e in predicted if e.model_id == model.id]
        assert mine and all(e.subject_id is None for e in mine)
        assert [e.id for e in predicted if e.model_id == behaviour.id] == [e.id for e in per_animal]  # the behaviour model's stay
        assert [m.task for m in predicted_models(project, video_id)] == ["behaviour", "classify"]
        assert load_probabilities(project, video_id, task="classify").subjects == [None]

        predict_behaviour(project, behaviour.id, video_id, device="cpu")  # and the other way round
        assert {e.id for e in mine} <= {e.id for e in project.events.in_video(video_id, source="predicted")}
        written = apply_thresholds(project, video_id, min_duration=1, model_id=model.id)
        after = project.events.in_video(video_id, source="predicted")
        assert written == sum(e.model_id == model.id for e in after) > 0
        assert sum(e.model_id == behaviour.id for e in after) == len(per_animal)
        assert apply_thresholds(project, video_id, task="behaviour") == sum(e.model_id == behaviour.id for e in
                                                                           project.events.in_video(video_id, source="predicted"))  # fmt: skip
        assert any(e.model_id == model.id for e in project.events.in_video(video_id, source="predicted"))


def test_classify_evaluates_on_held_out_whole_frame_events(classified, capsys):
    folder, _, model, _ = classified
    assert main(["evaluate", str(folder), "--model", str(model.id), "--device", "cpu", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["task"] == "classify" and report["evaluated_on"] == "held_out_events"
    assert 0 < report["frames"] < 120 and 0.0 <= report["macro_f1_frame"] <= 1.0
    assert set(report["per_behaviour"]) == {"walk", "rest"}
    assert main(["evaluate", str(folder), "--model", str(model.id), "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert f"model {model.id} (classify)" in out and "(held out events)" in out and "macro F1 frames" in out


def test_in_a_one_mouse_demo_world_the_truth_says_what_the_whole_frame_does(tmp_path):
    from core.demo.truth_source import DemoTruth

    world = WorldConfig(width=96, height=72, seconds=1, n_animals=1, seed=1)
    with create_demo_project(tmp_path / "one", world, labeled_frames=4) as project:
        video_id = project.videos.all()[0].id
        frames = DemoTruth.of(project).behaviour_frames(project, video_id)
        (track,) = [t.id for t in project.tracks.all()]
        assert set(frames) == {track, None} and all((frames[None][n] == frames[track][n]).all() for n in frames[track])
    with create_demo_project(tmp_path / "two", WORLD, labeled_frames=4) as project:  # two mice: no whole-frame truth
        assert None not in DemoTruth.of(project).behaviour_frames(project, project.videos.all()[0].id)
