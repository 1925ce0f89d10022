"""From per-frame probabilities to behaviour bouts: thresholds per behaviour and a minimum
duration, pure numpy (the GUI re-runs it live while a threshold slider moves).

Two modes, as the model was trained:

- exclusive (one behaviour at a time, softmax): each frame takes the most probable of
  "no behaviour" (1 - the sum) and the behaviours, and keeps it only if its probability reaches
  the behaviour's threshold; runs shorter than the behaviour's minimum duration are absorbed
  by their longer neighbour (so a 2-frame "turn" inside a walk becomes walk, not a hole);
- independent (multi-label, sigmoid): each behaviour is on where its probability reaches its
  threshold; gaps up to `max_gap` frames are bridged, then runs shorter than the minimum
  duration dropped.

A point behaviour's bout becomes a single-frame bout at its most probable frame.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NONE = -1  # the "no behaviour" label of a frame


@dataclass(frozen=True)
class Bout:
    """Behaviour column `behaviour` on frames `start`..`end` inclusive; `score` is its mean
    probability over those frames."""

    behaviour: int
    start: int
    end: int
    score: float

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def _per_behaviour(value: float | Sequence[float] | np.ndarray | None, n: int, default: float) -> np.ndarray:
    if value is None:
        return np.full(n, default, dtype=np.float64)
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return np.full(n, float(array))
    if array.shape != (n,):
        raise ValueError(f"expected one value per behaviour ({n}), got shape {array.shape}")
    return array


def runs(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run-length encoding of a 1-D array: (values, starts, lengths)."""
    labels = np.asarray(labels)
    if labels.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return labels[:0], empty, empty
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], change])
    lengths = np.diff(np.concatenate([starts, [labels.size]]))
    return labels[starts], starts, lengths


def exclusive_labels(probabilities: np.ndarray, thresholds: float | Sequence[float] | None = None) -> np.ndarray:
    """(F,) int label per frame: the argmax over "none" (1 - sum) and the behaviours, or NONE
    where the winning behaviour's probability is below its threshold (default 0: argmax only)."""
    p = np.asarray(probabilities, dtype=np.float64)
    n = p.shape[1]
    thresholds = _per_behaviour(thresholds, n, 0.0)
    none = np.clip(1.0 - p.sum(axis=1, keepdims=True), 0.0, 1.0)
    best = np.argmax(np.concatenate([none, p], axis=1), axis=1) - 1
    keep = best >= 0
    keep[keep] = p[np.flatnonzero(keep), best[keep]] >= thresholds[best[keep]]
    return np.where(keep, best, NONE).astype(np.int64)


def absorb_short_runs(labels: np.ndarray, min_duration: np.ndarray) -> np.ndarray:
    """Relabel runs shorter than their label's minimum duration (`min_duration[label]`; the
    NONE label is never too short) to the label of their longer neighbour, shortest first."""
    values, _, lengths = runs(labels)
    n = len(values)
    if n <= 1:
        return np.asarray(labels).copy()
    values, lengths = values.astype(np.int64).tolist(), lengths.tolist()
    prev, nxt = list(range(-1, n - 1)), list(range(1, n + 1))
    alive, version = [True] * n, [0] * n
    minimum = lambda v: 0 if v == NONE else int(min_duration[v])
    heap = [(lengths[i], i, 0) for i in range(n) if lengths[i] < minimum(values[i])]
    heapq.heapify(heap)
    while heap:
        _, i, seen = heapq.heappop(heap)
        if not alive[i] or seen != version[i] or lengths[i] >= minimum(values[i]):
            continue
        left, right = prev[i], (nxt[i] if nxt[i] < n else -1)
        if left < 0 and right < 0:
            break
        target = left if right < 0 or (left >= 0 and lengths[left] >= lengths[right]) else right
        values[i] = values[target]
        for j in (left, right):  # merge i with neighbours that now carry the same label
            if j >= 0 and alive[j] and values[j] == values[i]:
                keep, drop = (j, i) if j < i else (i, j)
                lengths[keep] += lengths[drop]
                alive[drop] = False
                nxt[keep] = nxt[drop]
                if nxt[drop] < n:
                    prev[nxt[drop]] = keep
                i = keep
        version[i] += 1
        if lengths[i] < minimum(values[i]):
            heapq.heappush(heap, (lengths[i], i, version[i]))
    out = np.empty(len(labels), dtype=np.int64)
    position = 0
    i = 0
    while i < n:
        out[position : position + lengths[i]] = values[i]
        position += lengths[i]
        i = nxt[i]
    return out


def clean_mask(mask: np.ndarray, min_duration: int = 1, max_gap: int = 0) -> np.ndarray:
    """A boolean on/off series with gaps of at most `max_gap` frames closed, then runs shorter
    than `min_duration` removed."""
    mask = np.asarray(mask, dtype=bool).copy()
    values, starts, lengths = runs(mask)
    if max_gap > 0:
        for k, (value, start, length) in enumerate(zip(values, starts, lengths)):
            if not value and 0 < k < len(values) - 1 and length <= max_gap:
                mask[start : start + length] = True
        values, starts, lengths = runs(mask)
    for value, start, length in zip(values, starts, lengths):
        if value and length < min_duration:
            mask[start : start + length] = False
    return mask


def to_bouts(
    probabilities: np.ndarray,
    thresholds: float | Sequence[float] | None = None,
    min_duration: int | Sequence[int] = 1,
    exclusive: bool = False,
    max_gap: int = 0,
    points: Sequence[bool] | None = None,
) -> list[Bout]:
    """Bouts from per-frame probabilities `(n_frames, n_behaviours)`, by start frame.

    `thresholds` and `min_duration` are one value or one per behaviour (defaults: 0.5 for
    independent behaviours, argmax only for exclusive ones; 1 frame); `points[b]` marks point
    behaviours (one frame each, at the bout's most probable frame)."""
    p = np.asarray(probabilities, dtype=np.float32)
    if p.ndim != 2:
        raise ValueError(f"probabilities must have shape (n_frames, n_behaviours), got {p.shape}")
    n = p.shape[1]
    durations = np.maximum(_per_behaviour(min_duration, n, 1), 1).astype(np.int64)
    points = np.zeros(n, dtype=bool) if points is None else np.asarray(points, dtype=bool)
    spans: list[tuple[int, int, int]] = []
    if exclusive:
        labels = absorb_short_runs(exclusive_labels(p, thresholds), durations)
        values, starts, lengths = runs(labels)
        spans = [(int(v), int(s), int(s + n_ - 1)) for v, s, n_ in zip(values, starts, lengths) if v != NONE]
    else:
        limits = _per_behaviour(thresholds, n, 0.5)
        for b in range(n):
            mask = clean_mask(p[:, b] >= limits[b], int(durations[b]), max_gap)
            values, starts, lengths = runs(mask)
            spans += [(b, int(s), int(s + n_ - 1)) for v, s, n_ in zip(values, starts, lengths) if v]
    bouts = []
    for b, start, end in spans:
        if points[b]:
            start = end = start + int(np.argmax(p[start : end + 1, b]))
        bouts.append(Bout(b, start, end, float(p[start : end + 1, b].mean())))
    return sorted(bouts, key=lambda bout: (bout.start, bout.behaviour))


def bouts_to_mask(bouts: Sequence[Bout], n_frames: int, n_behaviours: int) -> np.ndarray:
    """(n_frames, n_behaviours) bool: which behaviours the bouts put on each frame."""
    mask = np.zeros((n_frames, n_behaviours), dtype=bool)
    for bout in bouts:
        mask[max(bout.start, 0) : min(bout.end + 1, n_frames), bout.behaviour] = True
    return mask
