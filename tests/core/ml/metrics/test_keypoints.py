"""Keypoint metrics on hand-made cases: matching, pixel errors, PCK with misses, OKS and its AP."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.ml.metrics.keypoints import (
    FrameKeypoints,
    keypoint_errors,
    keypoint_metrics,
    match_instances,
    oks,
    oks_map,  # fmt: skip
)


def animal(x: float, y: float, visibility=(2, 2, 2)) -> np.ndarray:
    """Three nodes in a row, 10 px apart, starting at (x, y)."""
    return np.array([[x, y, visibility[0]], [x + 10, y, visibility[1]], [x + 20, y, visibility[2]]], float)


def test_hungarian_matching_pairs_instances_by_mean_distance_whatever_the_order():
    truth = np.stack([animal(0, 0), animal(100, 0)])
    predicted = np.stack([animal(101, 0), animal(2, 0)])
    assert sorted(match_instances(truth, predicted)) == [(0, 1), (1, 0)]
    # Greedy nearest-first would pair truth 0 with prediction 0 (14 px) and leave truth 1 to
    # prediction 1 (50 px); the optimum (20 + 16 px) pairs them the other way.
    truth = np.stack([animal(0, 0), animal(30, 0)])
    predicted = np.stack([animal(14, 0), animal(-20, 0)])
    assert sorted(match_instances(truth, predicted)) == [(0, 1), (1, 0)]


def test_errors_and_pck_count_misses_as_failures():
    truth = np.stack([animal(0, 0), animal(100, 0), animal(200, 0)])
    predicted = np.stack([animal(3, 4), animal(100, 7, visibility=(2, 2, 0))])  # errors 5 and 7; one node and one animal missed
    result = keypoint_errors([FrameKeypoints(truth, predicted)])
    assert result["mean_px_error"] == pytest.approx((3 * 5 + 2 * 7) / 5)
    assert result["median_px_error"] == pytest.approx(5.0)
    assert result["pck_5px"] == pytest.approx(3 / 9)  # only the first animal's nodes within 5 px
    assert result["pck_10px"] == pytest.approx(5 / 9)
    assert result["instances_found"] == pytest.approx(2 / 3)


def test_unlabelled_truth_nodes_are_not_scored_and_empty_frames_are_fine():
    truth = animal(0, 0, visibility=(2, 0, 1))[None]  # occluded (1) nodes count, unlabelled (0) do not
    predicted = animal(0, 0)[None] + np.array([0, 0, 0])
    predicted[0, 1, :2] = 500  # wrong, but the truth does not label it
    result = keypoint_errors([FrameKeypoints(truth, predicted), FrameKeypoints(np.zeros((0, 3, 3)), np.zeros((0, 3, 3)))])
    assert result["median_px_error"] == 0 and result["pck_5px"] == 1.0 and result["keypoints_evaluated"] == 2


def test_oks_is_one_for_a_perfect_prediction_and_falls_with_distance_as_coco_defines():
    truth = animal(0, 0)
    assert oks(truth, truth, area=400.0, sigmas=np.full(3, 0.05)) == pytest.approx(1.0)
    shifted = truth.copy()
    shifted[:, 0] += 3.0
    expected = math.exp(-9 / (2 * 400 * (2 * 0.05) ** 2))
    assert oks(truth, shifted, area=400.0, sigmas=np.full(3, 0.05)) == pytest.approx(expected)
    missing = truth.copy()
    missing[2, 2] = 0
    assert oks(truth, missing, area=400.0, sigmas=np.full(3, 0.05)) == pytest.approx(2 / 3)


def test_oks_map_is_one_for_perfect_predictions_and_ranks_false_positives_by_score():
    truth = np.stack([animal(0, 0), animal(100, 0)])
    perfect = [FrameKeypoints(truth, truth.copy(), np.array([0.9, 0.8]), np.array([400.0, 400.0]))]
    assert oks_map(perfect)["oks_map"] == pytest.approx(1.0)
    # A confident false positive ranked first halves precision at the first recall level only.
    junk = animal(300, 300)[None]
    noisy = [FrameKeypoints(truth, np.concatenate([junk, truth]), np.array([0.95, 0.9, 0.8]), np.array([400.0, 400.0]))]
    assert 0.6 < oks_map(noisy)["oks_map"] < 1.0
    # The same false positive with the lowest score costs nothing (COCO's precision envelope).
    quiet = [FrameKeypoints(truth, np.concatenate([truth, junk]), np.array([0.9, 0.8, 0.1]), np.array([400.0, 400.0]))]
    assert oks_map(quiet)["oks_map"] == pytest.approx(1.0)
    nothing = [FrameKeypoints(truth, np.zeros((0, 3, 3)))]
    assert oks_map(nothing)["oks_map"] == 0.0


def test_oks_map_tightens_with_the_threshold():
    truth = animal(0, 0)[None]
    # area 400, sigma 0.05: a 2 px error gives OKS ~0.61, between thresholds 0.60 and 0.65
    off = truth.copy()
    off[0, :, 0] += 2.0
    result = oks_map([FrameKeypoints(truth, off, np.array([1.0]), np.array([400.0]))])
    assert result["oks_ap50"] == 1.0 and result["oks_ap75"] == 0.0
    assert result["oks_map"] == pytest.approx(3 / 10)


def test_keypoint_metrics_combines_everything():
    truth = animal(0, 0)[None]
    result = keypoint_metrics([FrameKeypoints(truth, truth.copy())])
    assert {"mean_px_error", "median_px_error", "pck_5px", "pck_10px", "instances_found", "oks_map"} <= set(result)
    assert result["median_px_error"] == 0 and result["oks_map"] == pytest.approx(1.0)
