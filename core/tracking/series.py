"""Detections as arrays: what the whole-video analyses (suspects, the review queue's
disagreement order) work on instead of `Instance` objects, over the `InstanceRows` the store
reads in one query (`project.instances.as_arrays`).

At 100,000 predictions an `Instance` per row and a Python loop per pair of them take seconds;
one query into columns (the store's), and numpy over whole tracks take a fraction of that.
The measures here are those of `core.tracking.features` (the mean of the labelled nodes or
the box centre, the extent box, the keypoint distance, box IoU) written for many detections
at once, so both paths agree on what "where an animal is" means.

    rows = project.instances.as_arrays(video.id)
    rows.frame[:3], rows.track[:3]         # sorted by frame, then instance id
    detections = DetectionArrays.of_rows(project, rows, np.flatnonzero(rows.track >= 0))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.domain.instance_rows import InstanceRows
from core.project import Project
from core.tracking.features import Detection

# --- detections as arrays ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DetectionArrays:
    """Many `Detection`s at once (`n` of them):

    - `points` `(n, nodes, 2)` float64, NaN for unlabelled nodes and padding; `n_nodes` `(n,)`;
    - `box` `(n, 4)` float64, NaN rows where there is none;
    - `centre` `(n, 2)`: mean of the labelled nodes, else the box centre, else NaN;
    - `extent` `(n, 4)`: the box, else the tight box around the labelled nodes, else NaN.
    """

    points: np.ndarray
    n_nodes: np.ndarray
    box: np.ndarray
    centre: np.ndarray
    extent: np.ndarray

    def __len__(self) -> int:
        return len(self.n_nodes)

    @classmethod
    def build(cls, points: np.ndarray, n_nodes: np.ndarray, box: np.ndarray) -> DetectionArrays:
        """From points already masked (NaN rows for unlabelled nodes) and boxes (NaN rows)."""
        x, y = points[:, :, 0], points[:, :, 1]
        finite = np.isfinite(x) & np.isfinite(y)
        # Detection.centre: np.nanmean over the nodes, each coordinate on its own (summed over
        # the middle axis, node after node, as np.nanmean sums a `(nodes, 2)` array)
        values = ~np.isnan(points)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(values, points, 0.0).sum(axis=1) / values.sum(axis=1)
        labelled = (np.isfinite(x) | np.isfinite(y)).any(axis=1)
        has_box = ~np.isnan(box[:, 0])
        box_centre = np.stack([(box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2], axis=1)
        centre = np.where(labelled[:, None], mean, np.where(has_box[:, None], box_centre, np.nan))
        low = [np.where(finite, c, np.inf).min(axis=1, initial=np.inf) for c in (x, y)]
        high = [np.where(finite, c, -np.inf).max(axis=1, initial=-np.inf) for c in (x, y)]
        tight = np.where(finite.any(axis=1)[:, None], np.stack([*low, *high], axis=1), np.nan)
        extent = np.where(has_box[:, None], box, tight)
        return cls(points, n_nodes, box, centre, extent)

    @classmethod
    def of_rows(cls, project: Project, rows: InstanceRows, which: np.ndarray) -> DetectionArrays:
        """The detections of `rows[which]`, as `detection_from_instance` makes them: nodes with
        visibility <= 0 or non-finite coordinates unlabelled, boxes normalised, and a mask's or
        polygons' extent where there is no box."""
        keypoints = rows.keypoints[which].astype(np.float64)
        points = keypoints[:, :, :2].copy()
        points[keypoints[:, :, 2] <= 0] = np.nan
        points[~np.isfinite(points).all(axis=2)] = np.nan
        raw = rows.box[which]
        box = np.stack([np.minimum(raw[:, 0], raw[:, 2]), np.minimum(raw[:, 1], raw[:, 3]),
                        np.maximum(raw[:, 0], raw[:, 2]), np.maximum(raw[:, 1], raw[:, 3])], axis=1)  # fmt: skip
        missing = np.flatnonzero(np.isnan(raw[:, 0]) & rows.shaped[which])
        if len(missing):
            boxes = project.instances.shape_boxes(rows.id[which][missing])
            for k in missing:
                found = boxes.get(int(rows.id[which][k]))
                box[k] = np.nan if found is None else found
        return cls.build(points, rows.n_nodes[which], box)


def keypoint_distances(d: DetectionArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`keypoint_distance` of detections `a[k]` and `b[k]` for every k: the mean distance over
    the nodes both have, else the centre distance."""
    pa, pb = d.points[a], d.points[b]
    both = np.isfinite(pa[:, :, 0]) & np.isfinite(pa[:, :, 1]) & np.isfinite(pb[:, :, 0]) & np.isfinite(pb[:, :, 1])
    count = both.sum(axis=1)
    usable = (d.n_nodes[a] > 0) & (d.n_nodes[a] == d.n_nodes[b]) & (count > 0)
    dx, dy = pa[:, :, 0] - pb[:, :, 0], pa[:, :, 1] - pb[:, :, 1]
    step = np.where(both, np.sqrt(dx * dx + dy * dy), 0.0)
    return np.where(usable, row_means(step, both, count), centre_distances(d, a, b))


def row_means(values: np.ndarray, chosen: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The mean of each row's chosen values (NaN where none), summed as numpy sums the chosen
    values alone (pairwise from 8 values on), so the result is the per-detection one to the bit."""
    if values.shape[1] < 8:  # numpy sums fewer than 8 values in order: the zeros change nothing
        with np.errstate(invalid="ignore", divide="ignore"):
            return values.sum(axis=1) / count
    compact = np.take_along_axis(values, np.argsort(~chosen, axis=1, kind="stable"), axis=1)
    means = np.full(len(values), np.nan)
    for c in np.unique(count[count > 0]):
        rows = count == c
        means[rows] = np.ascontiguousarray(compact[rows, :c]).sum(axis=1) / c
    return means


def centre_distances(d: DetectionArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    delta = d.centre[a] - d.centre[b]
    return np.sqrt(delta[:, 0] ** 2 + delta[:, 1] ** 2)


def box_ious(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`box_iou` of boxes `a[k]` and `b[k]` `(m, 4)`: 0 where either is missing (NaN)."""
    w = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
    h = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
    inter = w * h
    union = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((w > 0) & (h > 0) & (union > 0), inter / union, 0.0)


def typical_size_of(d: DetectionArrays) -> float:
    """`typical_size`: the median diagonal of the detections' extents (1 without any)."""
    e = d.extent
    diagonals = np.hypot(e[:, 2] - e[:, 0], e[:, 3] - e[:, 1])
    diagonals = diagonals[diagonals > 0]
    return float(np.median(diagonals)) if len(diagonals) else 1.0


def detection_arrays(detections: Sequence[Detection]) -> DetectionArrays:
    """`DetectionArrays` of `Detection` objects (in-memory callers: the tracker's report, tests)."""
    n = len(detections)
    points = np.full((n, max((len(d.points) for d in detections), default=0), 2), np.nan)
    box = np.full((n, 4), np.nan)
    for k, detection in enumerate(detections):
        points[k, : len(detection.points)] = detection.points
        if detection.box is not None:
            box[k] = detection.box
    return DetectionArrays.build(points, np.array([len(d.points) for d in detections], dtype=np.int64), box)
