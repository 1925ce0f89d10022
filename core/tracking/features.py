"""What the tracker looks at in an instance: its points, box, centre and score, as plain arrays,
and the pairwise measures built from them (keypoint distance, box IoU).

Kept apart from the matching logic so suspects, metrics and the tracker agree on what
"where an animal is" means: the mean of its labelled nodes, or its box centre when it has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.domain import Instance


@dataclass(frozen=True, eq=False)
class Detection:
    """One instance as the tracker sees it.

    `points` has shape `(n_nodes, 2)` with NaN for unlabelled nodes (or shape `(0, 2)` when the
    instance has no keypoints); `box` is `(x1, y1, x2, y2)` or None; `score` is None for user labels.
    `index` is the detection's position in the frame's list (or any caller key).
    """

    points: np.ndarray
    box: np.ndarray | None
    score: float | None = None
    index: int = 0

    @property
    def centre(self) -> np.ndarray:
        if len(self.points) and np.isfinite(self.points).any():
            return np.nanmean(self.points, axis=0)
        if self.box is not None:
            return np.array([(self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2])
        return np.array([np.nan, np.nan])

    @property
    def extent_box(self) -> np.ndarray | None:
        """The box, or the tight box around the labelled nodes when there is no box."""
        if self.box is not None:
            return self.box
        finite = self.points[np.isfinite(self.points).all(axis=1)] if len(self.points) else self.points
        if len(finite) == 0:
            return None
        return np.array([*finite.min(axis=0), *finite.max(axis=0)])

    def translated(self, shift: np.ndarray) -> Detection:
        """This detection moved by `shift` (x, y): the constant-velocity prediction."""
        box = None if self.box is None else self.box + np.array([shift[0], shift[1], shift[0], shift[1]])
        return Detection(self.points + shift, box, self.score, self.index)


def detection_from_instance(instance: Instance, index: int = 0) -> Detection:
    if instance.keypoints is not None:
        keypoints = instance.keypoints
        points = keypoints[:, :2].astype(np.float64).copy()
        points[keypoints[:, 2] <= 0] = np.nan
        points[~np.isfinite(points).all(axis=1)] = np.nan
    else:
        points = np.zeros((0, 2))
    box = None
    if instance.box is not None:
        box = np.array(instance.box.normalized().as_tuple(), dtype=np.float64)
    elif instance.mask is not None:
        mask_box = instance.mask.bounding_box()
        box = None if mask_box is None else np.array(mask_box.as_tuple(), dtype=np.float64)
    elif instance.polygons:
        allpoints = np.concatenate(instance.polygons)
        box = np.array([*allpoints.min(axis=0), *allpoints.max(axis=0)])
    return Detection(points, box, instance.score, index)


def keypoint_distance(a: Detection, b: Detection) -> float:
    """Mean distance over the nodes both have; the centre distance when they share none."""
    if len(a.points) and len(a.points) == len(b.points):
        both = np.isfinite(a.points).all(axis=1) & np.isfinite(b.points).all(axis=1)
        if both.any():
            return float(np.linalg.norm(a.points[both] - b.points[both], axis=1).mean())
    return float(np.linalg.norm(a.centre - b.centre))


def box_iou(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Intersection over union of two `(x1, y1, x2, y2)` boxes (0 when either is missing)."""
    if a is None or b is None:
        return 0.0
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def typical_size(detections: list[Detection]) -> float:
    """The median diagonal of the detections' extents: the length that makes distances
    comparable between a mouse filmed from afar and a fly filmed through a microscope."""
    diagonals = []
    for detection in detections:
        box = detection.extent_box
        if box is not None:
            diagonals.append(float(np.hypot(box[2] - box[0], box[3] - box[1])))
    diagonals = [d for d in diagonals if d > 0]
    return float(np.median(diagonals)) if diagonals else 1.0
