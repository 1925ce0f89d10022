"""A whole video's instances as columns of arrays (what `project.instances.as_arrays` returns):
what the whole-video analyses (suspects, the review queue's disagreement order) work on
instead of one `Instance` per row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class InstanceRows:
    """Every instance of a video, one entry per instance, sorted by frame then instance id
    (the order `InstanceTable.on_frames` gives). `n` instances:

    - `frame`, `id` `(n,)` int64; `track` `(n,)` int64, -1 for untracked;
    - `predicted` `(n,)` bool: a prediction (else a user label; `Instance.source`);
      `score` `(n,)` float64, NaN for none; `by_model` `(n,)` bool: made by a model (a
      prediction or an accepted one);
    - `box` `(n, 4)` float64 as stored (x1, y1, x2, y2), NaN rows where there is none;
      `shaped` `(n,)` bool: has a mask or polygons (read only where there is no box);
    - `keypoints` `(n, nodes, 3)` float32 (x, y, visibility), rows padded with NaN past each
      instance's `n_nodes` `(n,)` (0 without keypoints).
    """

    frame: np.ndarray
    id: np.ndarray
    track: np.ndarray
    predicted: np.ndarray
    score: np.ndarray
    by_model: np.ndarray
    box: np.ndarray
    shaped: np.ndarray
    keypoints: np.ndarray
    n_nodes: np.ndarray

    def __len__(self) -> int:
        return len(self.frame)
