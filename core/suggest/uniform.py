"""Uniform frame suggestions: N frames evenly spread over a video.

The cheapest suggestion method, and the one that needs no pixels: it works from the frame
count the project recorded, so it runs even while a video's file is missing.
"""

from __future__ import annotations

import numpy as np


def evenly_spaced(frame_count: int, n: int) -> np.ndarray:
    """`min(n, frame_count)` distinct frame indices, one at the centre of each of n equal spans.

    Centres rather than `linspace(0, last)`: the first and last frames of a lab recording are
    often the experimenter's hand or an empty arena, and centres keep the spacing symmetric.
    Returns an int64 array, ascending, deterministic.
    """
    if frame_count <= 0 or n <= 0:
        return np.zeros(0, dtype=np.int64)
    n = min(n, frame_count)
    spans = np.arange(n, dtype=np.int64)
    # Integer arithmetic: exact for any frame count, and distinct whenever n <= frame_count
    # because consecutive centres are at least frame_count / n >= 1 apart.
    return (2 * spans + 1) * frame_count // (2 * n)


def uniform_frames(frame_count: int, n: int) -> list[int]:
    """The uniform method's suggestions for a video of `frame_count` frames."""
    return [int(i) for i in evenly_spaced(frame_count, n)]
