"""Choosing the node threshold (applying it is `core.domain.node_threshold`: a node scoring
under the model's threshold is shown dimmed, accepted and exported as unlabelled, and scored as
not found).

`choose_node_threshold` picks a model's default threshold on its validation frames: the
candidate with the best F1 of placed nodes, a node counting as placed when its score reaches
the threshold and as correct when it is placed within `radius` px of a labelled true node (true
and predicted instances matched per frame as `keypoints.match_instances` does).

    choice = choose_node_threshold(frames, node_scores)   # choice.threshold, choice.f1...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CANDIDATES = (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
CORRECT_PX = 10.0
F1_TOLERANCE = 0.02  # a higher threshold is chosen only when it gains more F1 than this


def share_placed(scores: Sequence[np.ndarray], threshold: float) -> float:
    """The share of predicted nodes (arrays of node scores, any shape) scoring at least
    `threshold`; NaN without any node."""
    flat = np.concatenate([np.asarray(s, dtype=np.float64).ravel() for s in scores]) if scores else np.zeros(0)
    return float((flat >= threshold).mean()) if len(flat) else float("nan")


@dataclass(frozen=True)
class NodeCounts:
    """At one threshold: nodes placed, placed correctly, and labelled true nodes."""

    threshold: float
    placed: int
    correct: int
    labelled: int

    @property
    def precision(self) -> float:
        return self.correct / self.placed if self.placed else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class NodeThresholdChoice:
    """The threshold picked (`best`) and the counts at every candidate, in candidate order."""

    best: NodeCounts
    candidates: tuple[NodeCounts, ...]

    @property
    def threshold(self) -> float:
        return self.best.threshold


def node_counts(frames, node_scores: Sequence[np.ndarray], thresholds: Sequence[float] = CANDIDATES,
                radius: float = CORRECT_PX) -> list[NodeCounts]:  # fmt: skip
    """`NodeCounts` at each threshold. `frames` are `keypoints.FrameKeypoints` whose predictions
    hold every node (visibility > 0 for a node the model placed at all); `node_scores` gives
    each frame's node scores (n_pred, n_nodes). Predictions are matched to true instances once,
    on all their nodes: the threshold decides which nodes are placed, not which animal is which.
    A node placed on an unmatched prediction, or on a true node that is not labelled, is placed
    but not correct."""
    from core.ml.metrics.keypoints import _as_instances, match_instances  # scipy loads only to score

    scores_by_node: list[np.ndarray] = []  # every placed node's score
    correct_scores: list[np.ndarray] = []  # the scores of nodes within `radius` of their truth
    labelled = 0
    for frame, scores in zip(frames, node_scores):
        truth, predicted = _as_instances(frame.truth), _as_instances(frame.predicted)
        scores = np.asarray(scores, dtype=np.float64).reshape(predicted.shape[:2])
        labelled += int((truth[:, :, 2] > 0).sum()) if len(truth) else 0
        placed = predicted[:, :, 2] > 0 if len(predicted) else np.zeros((0, 0), bool)
        scores_by_node.append(scores[placed])
        for t, p in match_instances(truth, predicted):
            distance = np.linalg.norm(truth[t, :, :2] - predicted[p, :, :2], axis=-1)
            hit = (truth[t, :, 2] > 0) & placed[p] & (distance <= radius)
            correct_scores.append(scores[p][hit])
    every = np.concatenate(scores_by_node) if scores_by_node else np.zeros(0)
    right = np.concatenate(correct_scores) if correct_scores else np.zeros(0)
    return [NodeCounts(float(t), int((every >= t).sum()), int((right >= t).sum()), labelled) for t in thresholds]


def choose_node_threshold(frames, node_scores: Sequence[np.ndarray], thresholds: Sequence[float] = CANDIDATES,
                          radius: float = CORRECT_PX) -> NodeThresholdChoice | None:  # fmt: skip
    """The lowest candidate threshold whose F1 of placed nodes is within `F1_TOLERANCE` of the
    best; None when no true node is labelled (nothing to choose by). See `node_counts`.

    Hiding has to pay clearly: validation frames usually sit near training frames, where peaks
    are higher than on the rest of the video. On SLEAP's fly clip (validation frames from the
    same resting stretch as the training frames) the best validation F1 was at 0.2 (0.921, 0.906
    at 0), while on the test frames 0.2 cut PCK@10 from 0.54 to 0.40."""
    counts = node_counts(frames, node_scores, sorted(thresholds), radius)
    if not counts or counts[0].labelled == 0:
        return None
    top = max(c.f1 for c in counts)
    best = next(c for c in counts if c.f1 >= top - F1_TOLERANCE)
    return NodeThresholdChoice(best, tuple(counts))
