"""Keypoint metrics: pixel error, PCK and COCO-style OKS mAP, as SLEAP and DeepLabCut report them.

Instances are given per frame as arrays of shape `(n_nodes, 3)` (x, y, visibility; visibility 0
means unlabelled for a truth, not found for a prediction) in full-resolution pixels.

- Pixel errors and PCK: on each frame, predictions are matched to true instances one to one by
  the Hungarian algorithm on the mean distance over the nodes both have. Errors are measured on
  true labelled nodes (visibility > 0) that the matched prediction found; mean and median pixel
  error are over those. PCK@r is over *all* true labelled nodes: a node of an unmatched (missed)
  instance, or a node the prediction did not find, counts as a failure.
- OKS mAP: COCO's object keypoint similarity, `exp(-d^2 / (2 s^2 k_i^2))` averaged over labelled
  nodes, with `s^2` the instance's area and `k_i = 2 sigma_i` per node. COCO derived its sigmas
  from the spread of repeated human annotations; a lab project has no repeated labels, so the
  default is one uniform sigma of 0.05 (close to the middle of COCO's 0.025-0.107): with a mouse
  whose box is 120 x 40 px, a 3 px error scores OKS 0.87 and a 10 px error 0.21. Callers that know
  their label noise pass per-node sigmas. AP is computed as COCO does: predictions ranked by
  score over all frames, greedy matching at each OKS threshold 0.50:0.05:0.95, 101-point
  interpolated precision, mean over thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

DEFAULT_SIGMA = 0.05
OKS_THRESHOLDS = np.round(np.arange(0.5, 0.951, 0.05), 2)


@dataclass(frozen=True)
class FrameKeypoints:
    """The true and predicted instances of one frame.

    `truth` (n_true, n_nodes, 3); `predicted` (n_pred, n_nodes, 3); `scores` (n_pred,) ranks
    predictions for AP; `areas` (n_true,) the true instances' areas in px^2 (None: the area of
    each instance's keypoint extent)."""

    truth: np.ndarray
    predicted: np.ndarray
    scores: np.ndarray | None = None
    areas: np.ndarray | None = None


def _as_instances(array: np.ndarray | Sequence, n_nodes: int | None = None) -> np.ndarray:
    array = np.asarray(array, dtype=np.float64)
    if array.size == 0:
        return np.zeros((0, n_nodes or 0, 3))
    return array.reshape(-1, array.shape[-2], 3)


def keypoint_extent_area(keypoints: np.ndarray) -> float:
    """Area of the box around an instance's labelled nodes (at least 1 px^2)."""
    labelled = keypoints[keypoints[:, 2] > 0, :2]
    if len(labelled) == 0:
        return 1.0
    w, h = labelled.max(0) - labelled.min(0)
    return float(max(w * h, 1.0))


def instance_distances(truth: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Per-node distances (n_true, n_pred, n_nodes); NaN where either side lacks the node."""
    d = np.linalg.norm(truth[:, None, :, :2] - predicted[None, :, :, :2], axis=-1)
    both = (truth[:, None, :, 2] > 0) & (predicted[None, :, :, 2] > 0)
    return np.where(both, d, np.nan)


def match_instances(truth: np.ndarray, predicted: np.ndarray) -> list[tuple[int, int]]:
    """(true index, predicted index) pairs minimising the total mean keypoint distance; pairs
    with no node in common are never matched."""
    if len(truth) == 0 or len(predicted) == 0:
        return []
    d = instance_distances(truth, predicted)
    with np.errstate(invalid="ignore"):
        common = np.sum(~np.isnan(d), axis=-1)
        cost = np.where(common > 0, np.nanmean(np.where(common[..., None] > 0, d, 0.0), axis=-1), np.inf)
    finite = np.isfinite(cost)
    if not finite.any():
        return []
    big = np.nanmax(cost[finite]) * 10 + 1e6
    rows, cols = linear_sum_assignment(np.where(finite, cost, big))
    return [(int(r), int(c)) for r, c in zip(rows, cols) if finite[r, c]]


def oks(truth: np.ndarray, predicted: np.ndarray, area: float, sigmas: np.ndarray) -> float:
    """COCO object keypoint similarity of one prediction to one truth (0 when nothing is labelled)."""
    labelled = truth[:, 2] > 0
    if not labelled.any():
        return 0.0
    k2 = (2 * sigmas) ** 2
    d2 = np.sum((truth[:, :2] - predicted[:, :2]) ** 2, axis=1)
    similarity = np.exp(-d2 / (2 * max(area, 1.0) * k2 + np.finfo(float).eps))
    similarity = np.where(predicted[:, 2] > 0, similarity, 0.0)  # a node not found scores 0
    return float(similarity[labelled].mean())


def _average_precision(scores: list[float], hits: list[bool], n_truth: int) -> float:
    if n_truth == 0:
        return float("nan")
    if not scores:
        return 0.0
    order = np.argsort(-np.asarray(scores), kind="mergesort")
    tp = np.cumsum(np.asarray(hits, dtype=float)[order])
    fp = np.cumsum(1.0 - np.asarray(hits, dtype=float)[order])
    recall = tp / n_truth
    precision = tp / np.maximum(tp + fp, np.finfo(float).eps)
    precision = np.maximum.accumulate(precision[::-1])[::-1]  # COCO's monotone envelope
    points = np.linspace(0, 1, 101)
    index = np.searchsorted(recall, points, side="left")
    return float(np.mean([precision[i] if i < len(precision) else 0.0 for i in index]))


def oks_map(frames: Sequence[FrameKeypoints], sigmas: np.ndarray | float = DEFAULT_SIGMA) -> dict[str, float]:
    """COCO-style keypoint AP: `oks_map` (mean over OKS 0.50:0.95), `oks_ap50`, `oks_ap75`."""
    per_threshold: dict[float, tuple[list[float], list[bool]]] = {t: ([], []) for t in OKS_THRESHOLDS}
    n_truth = 0
    for frame in frames:
        truth, predicted = _as_instances(frame.truth), _as_instances(frame.predicted)
        truth = truth[(truth[:, :, 2] > 0).any(axis=1)] if len(truth) else truth
        n_nodes = truth.shape[1] if len(truth) else (predicted.shape[1] if len(predicted) else 0)
        node_sigmas = np.broadcast_to(np.asarray(sigmas, dtype=float), (n_nodes,))
        scores = np.ones(len(predicted)) if frame.scores is None else np.asarray(frame.scores, dtype=float)
        if frame.areas is None:
            areas = np.array([keypoint_extent_area(t) for t in truth])
        else:
            areas = np.asarray(frame.areas, dtype=float)[(_as_instances(frame.truth)[:, :, 2] > 0).any(axis=1)]
        n_truth += len(truth)
        similarity = np.array([[oks(t, p, a, node_sigmas) for p in predicted] for t, a in zip(truth, areas)])
        order = np.argsort(-scores, kind="mergesort")
        for threshold, (all_scores, hits) in per_threshold.items():
            taken = np.zeros(len(truth), bool)
            for p in order:
                best, best_value = -1, threshold
                for t in range(len(truth)):
                    if not taken[t] and similarity[t, p] >= best_value:
                        best, best_value = t, similarity[t, p]
                if best >= 0:
                    taken[best] = True
                all_scores.append(float(scores[p]))
                hits.append(best >= 0)
    aps = {t: _average_precision(s, h, n_truth) for t, (s, h) in per_threshold.items()}
    return {"oks_map": float(np.mean(list(aps.values()))), "oks_ap50": aps[0.5], "oks_ap75": aps[0.75]}


def keypoint_errors(frames: Sequence[FrameKeypoints], radii: Sequence[float] = (5.0, 10.0)) -> dict[str, float]:
    """Mean and median pixel error, PCK at each radius (`pck_5px`...), and the fraction of true
    instances found, after Hungarian matching on each frame."""
    errors: list[float] = []
    n_labelled = n_instances = n_found = 0
    for frame in frames:
        truth, predicted = _as_instances(frame.truth), _as_instances(frame.predicted)
        if len(truth):
            truth = truth[(truth[:, :, 2] > 0).any(axis=1)]
        n_instances += len(truth)
        n_labelled += int((truth[:, :, 2] > 0).sum()) if len(truth) else 0
        for t, p in match_instances(truth, predicted):
            n_found += 1
            d = instance_distances(truth[t : t + 1], predicted[p : p + 1])[0, 0]
            errors.extend(d[~np.isnan(d)].tolist())
    errors_array = np.asarray(errors)
    result = {
        "mean_px_error": float(errors_array.mean()) if len(errors) else float("nan"),
        "median_px_error": float(np.median(errors_array)) if len(errors) else float("nan"),
        "instances_found": n_found / n_instances if n_instances else float("nan"),
        "keypoints_evaluated": float(n_labelled),
    }
    for radius in radii:
        hits = int((errors_array <= radius).sum()) if len(errors) else 0
        result[f"pck_{radius:g}px"] = hits / n_labelled if n_labelled else float("nan")
    return result


def keypoint_metrics(frames: Sequence[FrameKeypoints], sigmas: np.ndarray | float = DEFAULT_SIGMA) -> dict[str, float]:
    """Everything above in one dict: errors, PCK@5/10, instances found, OKS mAP."""
    return {**keypoint_errors(frames), **oks_map(frames, sigmas)}
