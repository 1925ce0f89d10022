"""The pycocotools OKS scorer: a perfect prediction scores 1, a shifted or missing one less,
and it agrees with our own `keypoints.oks_map` on the same frames."""

from __future__ import annotations

import numpy as np
import pytest

from core.ml.metrics.coco_keypoints import coco_oks_map
from core.ml.metrics.keypoints import FrameKeypoints, oks_map


def mouse(x: float, y: float) -> np.ndarray:
    """Five nodes along a 120 x 40 px body starting at (x, y)."""
    return np.array([[x, y, 2], [x + 30, y + 10, 2], [x + 60, y + 20, 2], [x + 90, y + 30, 2], [x + 120, y + 40, 2]], float)


def frames(shift: float = 0.0, drop_node: bool = False) -> list[FrameKeypoints]:
    out = []
    for n in range(6):
        truth = np.stack([mouse(10 * n, 5), mouse(300, 200 + n)])
        predicted = truth.copy()
        predicted[..., 0] += shift
        if drop_node:
            predicted[0, 2, 2] = 0
        out.append(FrameKeypoints(truth, predicted, np.array([0.9, 0.8])))
    return out


def test_a_perfect_prediction_scores_one():
    result = coco_oks_map(frames())
    assert result["coco_oks_map"] == pytest.approx(1.0)
    assert result["coco_oks_ap50"] == pytest.approx(1.0)


def test_a_shifted_prediction_scores_less_and_a_missing_node_costs():
    shifted = coco_oks_map(frames(shift=4.0))["coco_oks_map"]
    assert 0.0 < shifted < 1.0
    assert coco_oks_map(frames(drop_node=True))["coco_oks_map"] < 1.0


@pytest.mark.parametrize("shift", [0.0, 2.0, 4.0, 8.0])
def test_agrees_with_our_own_oks_map(shift):
    ours = oks_map(frames(shift=shift))["oks_map"]
    assert coco_oks_map(frames(shift=shift))["coco_oks_map"] == pytest.approx(ours, abs=0.02)


def test_no_prediction_scores_zero():
    empty = [FrameKeypoints(f.truth, np.zeros((0, 5, 3))) for f in frames()]
    assert coco_oks_map(empty)["coco_oks_map"] == 0.0
