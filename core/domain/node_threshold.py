"""Applying a pose model's node threshold: a model places every node, each with its peak score;
a node scoring under the model's node threshold is *shown* dimmed, *accepted* and *exported* as
unlabelled (visibility 0), and *scored* as not found. Predictions in the project keep every
node, so the threshold can change without running the model again.

Here because edits, exports and evaluation all apply it; *choosing* a model's threshold on its
validation frames is a metric and lives in `core.ml.metrics.node_threshold`.

    keypoints = apply_node_threshold(instance.keypoints, instance.keypoint_scores, 0.05)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from core.domain.instance import Instance


def apply_node_threshold(keypoints: np.ndarray, scores: np.ndarray | None, threshold: float | None) -> np.ndarray:
    """A copy of `keypoints` (..., n_nodes, 3) with visibility 0 where `scores` (..., n_nodes)
    is under `threshold`. Without scores (user labels) or a threshold, an unchanged copy."""
    out = np.array(keypoints, dtype=np.float32, copy=True)
    if scores is None or threshold is None or out.size == 0:
        return out
    below = np.asarray(scores, dtype=np.float64) < threshold
    out[..., 2] = np.where(below, 0.0, out[..., 2])
    return out


def threshold_instance(instance: Instance, threshold: float | None) -> Instance:
    """`instance` with its nodes under `threshold` unlabelled (itself when nothing changes)."""
    if instance.keypoints is None or instance.keypoint_scores is None or threshold is None:
        return instance
    keypoints = apply_node_threshold(instance.keypoints, instance.keypoint_scores, threshold)
    if np.array_equal(keypoints, instance.keypoints):
        return instance
    return instance.with_changes(keypoints=keypoints)


def threshold_predictions(instances: Sequence[Instance], thresholds: Mapping[int, float]) -> list[Instance]:
    """Each prediction with its model's node threshold applied (`thresholds`: model id ->
    threshold); user labels and predictions of models without one pass unchanged."""
    return [
        threshold_instance(i, thresholds.get(i.model_id)) if i.is_predicted and i.model_id is not None else i
        for i in instances
    ]
