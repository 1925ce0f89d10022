"""Small frames evenly spaced over a video, for the timeline overview.

By default each position snaps to the nearest keyframe at or before it: a keyframe is one
decode after a seek, an arbitrary frame up to a whole GOP of decodes, and a timeline strip
does not need the exact frame (each thumbnail says which frame it shows). Decoded frames
bypass the reader's cache so the strip does not evict the frames the user is stepping through.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from core.runtime.cancel import CancelToken, ProgressCallback, check_cancel, report

from .base import VideoReader


@dataclass(frozen=True)
class Thumbnail:
    """Frame `index` of the video, shrunk to `image` of shape (height, w, 3) uint8 RGB."""

    index: int
    image: np.ndarray


def thumbnail_indices(reader: VideoReader, n: int, *, snap_to_keyframes: bool = True) -> list[int]:
    """`n` frame indices evenly spaced from the first to the last frame (fewer if duplicates)."""
    if n <= 0 or reader.frame_count == 0:
        return []
    wanted = np.linspace(0, reader.frame_count - 1, num=min(n, reader.frame_count)).round().astype(np.int64)
    if snap_to_keyframes:
        keys = reader.keyframe_indices()
        wanted = keys[np.searchsorted(keys, wanted, side="right") - 1]
    return sorted({int(i) for i in wanted})


def thumbnails(
    reader: VideoReader,
    n: int,
    height: int,
    *,
    snap_to_keyframes: bool = True,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[Thumbnail]:
    """Up to `n` thumbnails `height` pixels high, evenly spaced, in frame order."""
    indices = thumbnail_indices(reader, n, snap_to_keyframes=snap_to_keyframes)
    width = max(1, round(reader.width * height / max(reader.height, 1)))
    result: list[Thumbnail] = []
    for done, index in enumerate(indices, start=1):
        check_cancel(cancel, f"Thumbnails of {reader.path}")
        frame = reader.cached(index)
        if frame is None:
            frame = reader.read(index, cache=False)
        # INTER_AREA averages the pixels it drops: no aliasing shimmer on fine fur or cage bars.
        small = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
        result.append(Thumbnail(index, small))
        report(progress, done, len(indices))
    return result
