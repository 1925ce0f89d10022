"""A pose run ends with a verdict a user can act on: what the model found on the validation
frames, and what to do when it is not ready (never a silent 'model saved' for an empty model)."""

from __future__ import annotations

import pytest
import torch

from core.demo import WorldConfig
from core.ml.events import collect
from core.ml.jobs.train_job import train
from core.ml.tasks.pose.verdict import pose_verdict
from core.ml.trainer import TrainConfig
from core.demo.project import create_demo_project

GOOD = {"val_instances_found": 1.0, "val_pck_10px": 0.9, "val_oks_map": 0.7, "val_node_threshold": 0.05}


def test_a_good_model_is_ready_and_says_what_it_found():
    verdict = pose_verdict(GOOD, validation_frames=20)
    assert verdict.ready
    assert "20 validation frame" in verdict.message and "100% of the animals" in verdict.message
    assert "90% of their labelled nodes within 10 px" in verdict.message and "Ready" in verdict.message


@pytest.mark.parametrize(("metrics", "advice"), [
    ({**GOOD, "val_instances_found": 0.4}, "misses animals"),
    ({**GOOD, "val_pck_10px": 0.1}, "train longer"),
    ({**GOOD, "val_instances_found": 0.0, "val_pck_10px": 0.0}, "misses animals"),
])  # fmt: skip
def test_a_model_that_is_not_ready_says_what_to_do(metrics, advice):
    verdict = pose_verdict(metrics, validation_frames=12)
    assert not verdict.ready and advice in verdict.message


def test_no_validation_frames_is_not_a_verdict_of_quality():
    verdict = pose_verdict({}, validation_frames=0)
    assert not verdict.ready and "could not be scored" in verdict.message


def test_a_training_job_ends_with_its_verdict(tmp_path):
    torch.set_num_threads(1)
    config = WorldConfig(width=160, height=120, seconds=2, n_animals=2, seed=3)
    with create_demo_project(tmp_path / "p", config, labeled_frames=8) as project:
        events = []
        options = {"batch_size": 4, "samples_per_epoch": 8, "decoder_channels": 16}
        model = train(project, "pose", options, TrainConfig(epochs=1, warmup_steps=1, patience=0), collect(events))
        verdicts = [e for e in events if e["event"] == "verdict"]
        assert len(verdicts) == 1 and "validation frame" in verdicts[0]["message"]
        finished = next(e for e in events if e["event"] == "finished")
        assert finished["verdict"] == verdicts[0]["message"] and finished["ready"] == verdicts[0]["ready"]
        (run,) = project.training_runs.all()
        assert run.model_id == model.id and run.metrics["verdict"] == verdicts[0]["message"]
