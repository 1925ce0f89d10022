"""Validation scores the pose pipeline with the node threshold chosen on the validation frames:
a node the model placed far off with a low score is left out of the placed nodes, PCK stays
over every labelled node, and the threshold and the share of nodes placed are reported."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.demo import WorldConfig
from core.ml.tasks.pose import build_adapter
from core.ml.tasks.pose.predictor import FramePoses
from core.demo.project import create_demo_project

FAST = {"batch_size": 4, "samples_per_epoch": 8, "decoder_channels": 16, "pretrained": False}


class FixedPredictor:
    """What a model predicts on the validation frames: the truth, with node 0 of every animal
    30 px off and scored 0.03, the other nodes exact and scored 0.5."""

    def __init__(self, labels) -> None:
        self.labels = labels

    def predict_arrays(self, frames):
        out = []
        for label in self.labels[: len(frames)]:
            keypoints = label.keypoints.copy()
            keypoints[:, :, 2] = 2.0
            keypoints[:, 0, 0] += 30.0
            scores = np.full(keypoints.shape[:2], 0.5, np.float32)
            scores[:, 0] = 0.03
            out.append(FramePoses(keypoints.astype(np.float32), scores, scores.mean(-1)))
        return out


@pytest.fixture(scope="module")
def adapter(tmp_path_factory):
    config = WorldConfig(width=160, height=120, seconds=2, n_animals=1, seed=5)
    with create_demo_project(tmp_path_factory.mktemp("one") / "p", config, labeled_frames=8) as project:
        yield build_adapter(project, FAST)


def test_validation_applies_the_threshold_it_chooses(adapter, monkeypatch):
    monkeypatch.setattr(adapter, "_val_loss", lambda model, device: 0.0)
    monkeypatch.setattr(adapter, "predictor", lambda model, device: FixedPredictor(adapter.labels.val))
    metrics = adapter.evaluate(None, torch.device("cpu"))
    truth = np.concatenate([label.keypoints for label in adapter.labels.val])
    labelled = truth[:, :, 2] > 0
    right = labelled[:, 1:].sum()  # every labelled node but node 0 is exact
    assert metrics["val_node_threshold"] == pytest.approx(0.05)  # the first candidate above 0.03
    assert metrics["val_nodes_placed"] == pytest.approx(5 / 6)
    assert metrics["val_pck_10px"] == pytest.approx(right / labelled.sum())  # over all labelled nodes
    assert metrics["val_median_px_error"] == pytest.approx(0.0, abs=1e-4)  # the far node is not placed
    assert {"val_loss", "val_mean_px_error", "val_pck_5px", "val_oks_map", "val_instances_found"} <= set(metrics)
