"""The pose predictor never hides a node: every instance keeps every node (visibility 2) with
its own peak as its score, however low, and no instance is dropped for low peaks."""

from __future__ import annotations

import numpy as np
import torch

from core.ml.tasks.pose.config import PoseConfig
from core.ml.tasks.pose.predictor import PosePredictor

SKELETON = {"id": 1, "class_id": None, "nodes": ["snout", "left_ear", "right_ear"]}


def predictor() -> PosePredictor:
    return PosePredictor(None, PoseConfig(), SKELETON, torch.device("cpu"))  # _poses needs no network


def test_low_peaks_keep_their_nodes_and_their_instance():
    points = np.array([[[10, 10], [20, 12], [30, 14]], [[50, 50], [60, 52], [70, 54]]], np.float32)
    values = np.array([[0.9, 0.05, 0.02], [0.03, 0.01, 0.04]], np.float32)  # all below the old 0.2 on the second
    poses = predictor()._poses(points, values)
    assert poses.keypoints.shape == (2, 3, 3) and (poses.keypoints[..., 2] == 2).all()
    assert np.allclose(poses.keypoints[..., :2], points)
    assert np.allclose(poses.node_scores, values)
    assert np.allclose(poses.scores, values.mean(-1))
    (first, second) = poses.as_dicts()
    assert second["box"] == [50.0, 50.0, 70.0, 54.0] and np.allclose(second["keypoint_scores"], [0.03, 0.01, 0.04])


def test_peaks_outside_zero_one_are_clipped_and_no_animal_is_no_instance():
    poses = predictor()._poses(np.zeros((1, 3, 2), np.float32), np.array([[1.3, -0.1, 0.5]], np.float32))
    assert np.allclose(poses.node_scores, [[1.0, 0.0, 0.5]]) and np.isclose(poses.scores[0], 0.5)
    empty = predictor()._poses(np.zeros((0, 3, 2)), np.zeros((0, 3)))
    assert empty.keypoints.shape == (0, 3, 3) and empty.node_scores.shape == (0, 3) and empty.scores.shape == (0,)


def test_instances_carry_every_node_with_visibility_2():
    p = predictor()
    poses = p._poses(np.array([[[1, 2], [3, 4], [5, 6]]], np.float32), np.array([[0.01, 0.02, 0.03]], np.float32))
    (instance,) = [p._instance(k, s, score) for k, s, score in zip(poses.keypoints, poses.node_scores, poses.scores)]
    assert (instance.keypoints[:, 2] == 2).all() and instance.box is not None
    assert np.allclose(instance.keypoint_scores, [0.01, 0.02, 0.03]) and np.isclose(instance.score, 0.02)
