"""A thread-safe LRU cache of decoded RGB frames, bounded in bytes.

Stepping backward through a long-GOP video would otherwise mean re-decoding from the
previous keyframe on every key press; the reader fills this cache with whole chunks of
frames so that those steps are dictionary look-ups. Bounded in megabytes rather than in
frames because a 4K frame weighs 24 MiB and a 384x384 one 0.4 MiB.

Cached arrays are made read-only: they are shared between every caller that asks for the
same frame, and one caller drawing on its copy must not change what the next one sees.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


class FrameCache:
    """LRU map from frame index to a read-only (H, W, 3) uint8 array."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(int(max_bytes), 0)
        self._frames: OrderedDict[int, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        return self._bytes

    def capacity_frames(self, frame_bytes: int) -> int:
        """How many frames of `frame_bytes` each fit in the cache."""
        return self.max_bytes // max(frame_bytes, 1)

    def __len__(self) -> int:
        return len(self._frames)

    def __contains__(self, index: int) -> bool:
        return index in self._frames

    def get(self, index: int) -> np.ndarray | None:
        with self._lock:
            frame = self._frames.get(index)
            if frame is not None:
                self._frames.move_to_end(index)
            return frame

    def put(self, index: int, frame: np.ndarray) -> np.ndarray:
        """Store `frame` (made read-only) and return it; evicts least recently used frames."""
        frame.flags.writeable = False
        if frame.nbytes > self.max_bytes:
            return frame  # a cache too small for one frame caches nothing
        with self._lock:
            old = self._frames.pop(index, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._frames[index] = frame
            self._bytes += frame.nbytes
            while self._bytes > self.max_bytes:
                _, evicted = self._frames.popitem(last=False)
                self._bytes -= evicted.nbytes
        return frame

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()
            self._bytes = 0
