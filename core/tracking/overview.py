"""What a track overview shows: for each track, the stretches of frames on which it appears.
Pure numpy; the GUI's track lanes paint these."""

from __future__ import annotations

import numpy as np


def track_runs(frames: np.ndarray, max_gap: int = 1) -> list[tuple[int, int]]:
    """Consecutive stretches (first, last frame inclusive) of sorted `frames`; frames at most
    `max_gap` apart belong to one stretch (1: only touching frames)."""
    frames = np.asarray(frames, dtype=np.int64)
    if frames.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(frames) > max_gap)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [frames.size - 1]])
    return [(int(frames[s]), int(frames[e])) for s, e in zip(starts, ends)]
