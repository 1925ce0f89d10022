"""Prediction and evaluation jobs with a pose model's node threshold: predictions are stored with
every node and its score, the run counts the nodes above the threshold, and evaluation scores
with the model's threshold or one asked for, without changing the model."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from core.ml.jobs.evaluate_job import evaluate
from core.ml.jobs.predict_job import PredictSummary, predict_video

sys.path.insert(0, str(Path(__file__).parent))
from toy_pose_task import SCORES, pose_project  # noqa: E402, F401


def test_predictions_keep_every_node_and_the_run_counts_those_above_the_threshold(pose_project):
    project, video, model = pose_project
    events = []
    summary = predict_video(project, video.id, model.id, frames=[1, 2, 3, 4], emit=events.append)
    assert (summary.nodes, summary.nodes_above, summary.node_threshold) == (12, 8, 0.05)
    assert summary.describe() == "4 instances; 67 % of nodes above the node threshold 0.05"
    (stored,) = project.instances.on_frame(video.id, 2, source="predicted")
    assert stored.keypoints[:, 2].tolist() == [2, 2, 2] and np.allclose(stored.keypoint_scores, SCORES)
    assert events[-1]["node_threshold"] == 0.05 and events[-1]["nodes_above"] == pytest.approx(2 / 3)
    both = PredictSummary.total([summary, summary])
    assert both.describe() == "8 instances; 67 % of nodes above the node threshold 0.05"


def test_evaluation_uses_the_models_threshold_or_the_one_asked_for(pose_project):
    project, _, model = pose_project
    report = evaluate(project, model.id, device="cpu")
    assert report["node_threshold"] == 0.05 and report["nodes_placed"] == pytest.approx(2 / 3)
    assert report["pck_10px"] == pytest.approx(2 / 3) and report["median_px_error"] == pytest.approx(0.0)
    placed_all = evaluate(project, model.id, device="cpu", node_threshold=0.0)
    assert placed_all["nodes_placed"] == 1.0 and placed_all["mean_px_error"] == pytest.approx(10.0)  # the tail counts
    strict = evaluate(project, model.id, device="cpu", node_threshold=0.5)
    assert strict["pck_10px"] == pytest.approx(1 / 3)
    assert project.models.node_threshold(model.id) == 0.05  # scoring with another one keeps the model's
    with pytest.raises(ValueError, match="between 0 and 1"):
        evaluate(project, model.id, device="cpu", node_threshold=2.0)
