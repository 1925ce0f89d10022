"""An instance: one animal (or object) on one frame, as the user labelled it or a model predicted it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Literal

import numpy as np

from core.domain.geometry import Box, Rle
from core.domain.stamp import Stamp

Source = Literal["user", "predicted"]


class Visibility(IntEnum):
    """A keypoint's visibility, with COCO's values so imports and exports need no mapping."""

    UNLABELLED = 0
    OCCLUDED = 1  # labelled, but hidden behind something
    VISIBLE = 2


@dataclass(frozen=True, eq=False)
class Instance:
    """One instance on frame `frame_index` of video `video_id`.

    Any of `box`, `polygons`, `mask` and `keypoints` may be present. `polygons` is a tuple of
    arrays of shape `(n_vertices, 2)` (x, y); `keypoints` has shape `(n_nodes, 3)` with columns
    x, y, visibility (see `Visibility`) in the node order of skeleton `skeleton_id`; for a
    prediction `keypoint_scores` has shape `(n_nodes,)`. `id` is None until the store assigns one.
    `origin` says where an imported instance came from ("coco:results.json"); a model's
    predictions carry `model_id` instead, and labels drawn here carry neither.
    """

    video_id: int
    frame_index: int
    class_id: int | None = None
    track_id: int | None = None
    skeleton_id: int | None = None
    box: Box | None = None
    polygons: tuple[np.ndarray, ...] = field(default_factory=tuple)
    mask: Rle | None = None
    keypoints: np.ndarray | None = None
    keypoint_scores: np.ndarray | None = None
    source: Source = "user"
    score: float | None = None
    model_id: int | None = None
    id: int | None = None
    origin: str | None = None
    stamp: Stamp | None = field(default=None, compare=False, repr=False)  # who and when; set by the store

    def __post_init__(self) -> None:
        if self.source not in ("user", "predicted"):
            raise ValueError(f"an instance's source is 'user' or 'predicted', not {self.source!r}")
        if self.keypoints is not None:
            keypoints = np.asarray(self.keypoints, dtype=np.float32)
            if keypoints.ndim != 2 or keypoints.shape[1] != 3:
                raise ValueError(f"keypoints must have shape (n_nodes, 3), got {keypoints.shape}")
            object.__setattr__(self, "keypoints", keypoints)
        polygons = tuple(np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in self.polygons)
        object.__setattr__(self, "polygons", polygons)

    @property
    def is_predicted(self) -> bool:
        return self.source == "predicted"

    def with_changes(self, **changes) -> Instance:
        """A copy with some fields replaced (instances are immutable values)."""
        return replace(self, **changes)

    def same_as(self, other: Instance) -> bool:
        """Field-by-field equality, arrays compared by value (dataclass `==` cannot compare arrays)."""
        for name in self.__dataclass_fields__:
            if name == "stamp":  # bookkeeping, not content
                continue
            a, b = getattr(self, name), getattr(other, name)
            if name == "polygons":
                if len(a) != len(b) or not all(np.array_equal(p, q) for p, q in zip(a, b)):
                    return False
            elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                if a is None or b is None or not np.array_equal(a, b):
                    return False
            elif a != b:
                return False
        return True
