"""Scoring behaviour predictions: per-behaviour precision, recall and F1 at frame level and at
event level, macro F1, and a confusion matrix for mutually exclusive behaviours. Pure numpy.

Event level: a true bout counts as found (recall) when predicted bouts of the same behaviour
cover at least half of it; a predicted bout counts as right (precision) when true bouts of the
behaviour cover at least half of it. Macro F1 averages the behaviours that occur in the truth
or in the predictions (a behaviour absent from both says nothing about the model).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.ml.tasks.behaviour.postprocess import runs


def _prf(tp: float, fp: float, fn: float) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def frame_scores(truth: np.ndarray, predicted: np.ndarray, valid: np.ndarray | None = None) -> list[dict[str, float]]:
    """Per behaviour, from (F, B) bool masks over the frames where `valid` (F,) is true:
    precision, recall, f1, support (true frames) and predicted (predicted frames)."""
    truth, predicted = np.asarray(truth, bool), np.asarray(predicted, bool)
    if valid is not None:
        truth, predicted = truth[np.asarray(valid, bool)], predicted[np.asarray(valid, bool)]
    out = []
    for b in range(truth.shape[1]):
        t, p = truth[:, b], predicted[:, b]
        tp, fp, fn = float(np.sum(t & p)), float(np.sum(~t & p)), float(np.sum(t & ~p))
        out.append({**_prf(tp, fp, fn), "support": int(t.sum()), "predicted": int(p.sum())})
    return out


def mask_bouts(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end inclusive) of each run of True in a 1-D mask."""
    values, starts, lengths = runs(np.asarray(mask, bool))
    return [(int(s), int(s + n - 1)) for v, s, n in zip(values, starts, lengths) if v]


def _covered(bouts: list[tuple[int, int]], mask: np.ndarray, min_overlap: float) -> int:
    return sum(1 for s, e in bouts if mask[s : e + 1].sum() >= min_overlap * (e - s + 1))


def event_scores(truth: np.ndarray, predicted: np.ndarray, valid: np.ndarray | None = None, min_overlap: float = 0.5) -> list[dict[str, float]]:
    """Per behaviour, from (F, B) bool masks: bouts are runs of true frames (cut at invalid
    frames); precision, recall, f1, support (true bouts) and predicted (predicted bouts)."""
    truth, predicted = np.asarray(truth, bool).copy(), np.asarray(predicted, bool).copy()
    if valid is not None:
        invalid = ~np.asarray(valid, bool)
        truth[invalid], predicted[invalid] = False, False
    out = []
    for b in range(truth.shape[1]):
        true_bouts, found_bouts = mask_bouts(truth[:, b]), mask_bouts(predicted[:, b])
        found = _covered(true_bouts, predicted[:, b], min_overlap)
        right = _covered(found_bouts, truth[:, b], min_overlap)
        precision = right / len(found_bouts) if found_bouts else 0.0
        recall = found / len(true_bouts) if true_bouts else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out.append({"precision": precision, "recall": recall, "f1": f1, "support": len(true_bouts), "predicted": len(found_bouts)})
    return out


def macro_f1(scores: Sequence[dict[str, float]]) -> float | None:
    """Mean F1 over behaviours present in the truth or in the predictions (None if none is)."""
    counted = [s["f1"] for s in scores if s["support"] or s["predicted"]]
    return float(np.mean(counted)) if counted else None


def confusion_matrix(truth_labels: np.ndarray, predicted_labels: np.ndarray, n_behaviours: int, valid: np.ndarray | None = None) -> np.ndarray:
    """(B + 1, B + 1) frame counts, rows true, columns predicted; labels are behaviour columns
    0..B-1 or -1 for "none", which takes the last row and column."""
    t, p = np.asarray(truth_labels, np.int64), np.asarray(predicted_labels, np.int64)
    if valid is not None:
        t, p = t[np.asarray(valid, bool)], p[np.asarray(valid, bool)]
    t, p = np.where(t < 0, n_behaviours, t), np.where(p < 0, n_behaviours, p)
    matrix = np.zeros((n_behaviours + 1, n_behaviours + 1), dtype=np.int64)
    np.add.at(matrix, (t, p), 1)
    return matrix


def labels_of(mask: np.ndarray) -> np.ndarray:
    """(F,) behaviour column of an exclusive (F, B) mask; -1 where no behaviour is on."""
    mask = np.asarray(mask, bool)
    return np.where(mask.any(axis=1), mask.argmax(axis=1), -1)
