"""`ethoframe predict`, `evaluate` and `models` with a pose model's node threshold: each says
which threshold is in use, predict reports the share of nodes above it, and the threshold can be
set for a model without running it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core.cli.main import main
from core.project import Project

sys.path.insert(0, str(Path(__file__).parents[1] / "ml"))
from toy_pose_task import pose_project  # noqa: E402, F401


def test_predict_says_how_many_nodes_are_above_the_threshold_and_can_set_it(pose_project, capsys):
    project, video, model = pose_project
    folder = str(project.folder)
    assert main(["predict", folder, "--frames", "0:4", "--device", "cpu"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "4 instances; 67 % of nodes above the node threshold 0.05"
    assert main(["predict", folder, "--model", str(model.id), "--frames", "0:2", "--node-threshold", "0.01", "--device", "cpu"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "model 1 (pose 1): node threshold 0.01"
    assert out[-1] == "2 instances; 100 % of nodes above the node threshold 0.01"
    assert project.models.node_threshold(model.id) == 0.01


def test_evaluate_prints_the_threshold_it_scores_with(pose_project, capsys):
    project, _, model = pose_project
    folder = str(project.folder)
    assert main(["evaluate", folder, "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "node threshold 0.05 (the model's)" in out and "pck_10px             0.6667" in out
    assert main(["evaluate", folder, "--device", "cpu", "--node-threshold", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "node threshold 0.5 (given)" in out and "pck_10px             0.3333" in out
    assert project.models.node_threshold(model.id) == 0.05


def test_models_lists_and_sets_the_node_threshold_without_predicting(pose_project, capsys):
    project, _, model = pose_project
    folder = str(project.folder)
    assert main(["models", folder]) == 0
    listing = capsys.readouterr().out
    assert "pose 1" in listing and "node threshold 0.05" in listing
    assert main(["models", folder, "--model", str(model.id), "--node-threshold", "0.12"]) == 0
    assert capsys.readouterr().out.strip() == "model 1 (pose 1): node threshold 0.12"
    with Project.open(folder) as again:
        assert again.models.node_threshold(model.id) == 0.12
    assert main(["models", folder, "--model", str(model.id), "--node-threshold", "3"]) == 1
    assert "between 0 and 1" in capsys.readouterr().err
    assert main(["models", folder, "--node-threshold", "0.1"]) == 1
    assert "--model N" in capsys.readouterr().err
