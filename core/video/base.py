"""What every video source offers: `VideoInfo` metadata and the `VideoReader` base class.

A reader turns a frame index into an (H, W, 3) uint8 RGB array. The base class owns what is
common to video files and image folders: bounds checks, the LRU frame cache, the lock that
makes one reader safe to share between the GUI thread and a prefetch thread, and the
context-manager protocol. Subclasses only implement `_decode`.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from .errors import VideoError
from .frame_cache import FrameCache

DEFAULT_CACHE_MB = 512


@dataclass(frozen=True)
class VideoInfo:
    """Metadata a project records about a video (codec is "images" for an image folder)."""

    path: Path
    frame_count: int
    fps: float
    width: int
    height: int
    codec: str


class VideoReader(ABC):
    """Frame-accurate random access to one video; thread-safe.

    Frames returned by `read` are read-only arrays shared with the cache: `.copy()` one
    before drawing on it.
    """

    def __init__(self, path: Path, cache_mb: float = DEFAULT_CACHE_MB) -> None:
        self.path = Path(path)
        self.frame_count: int = 0
        self.fps: float = 0.0
        self.width: int = 0
        self.height: int = 0
        self.codec: str = ""
        self.cache = FrameCache(int(cache_mb * 1024 * 1024))
        # One decode at a time: PyAV containers are not thread-safe, and the decoder's
        # position is shared state that the prefetch thread and the GUI both move.
        self._lock = threading.RLock()
        self._closed = False

    # -- public API ------------------------------------------------------------------------

    @property
    def info(self) -> VideoInfo:
        return VideoInfo(self.path, self.frame_count, self.fps, self.width, self.height, self.codec)

    @property
    def frame_bytes(self) -> int:
        return self.width * self.height * 3

    def read(self, index: int, *, cache: bool = True) -> np.ndarray:
        """Frame `index` (0-based, presentation order) as an (H, W, 3) uint8 RGB array."""
        index = self._check_index(index)
        frame = self.cache.get(index)
        if frame is not None:
            return frame
        with self._lock:
            if self._closed:
                raise VideoError(f"{self.path} is closed", self.path)
            # Another thread may have decoded it while we waited for the lock.
            frame = self.cache.get(index)
            if frame is not None:
                return frame
            return self._decode(index, cache)

    def cached(self, index: int) -> np.ndarray | None:
        """Frame `index` if it is already decoded, else None; never blocks on decoding."""
        return self.cache.get(index)

    def read_preview(self, index: int) -> np.ndarray:
        """A fast look at frame `index` for scrubbing; exact unless a lossy proxy is attached."""
        return self.read(index)

    def keyframe_indices(self) -> np.ndarray:
        """Frame indices that can be decoded without decoding earlier frames."""
        return np.arange(self.frame_count, dtype=np.int64)

    def timestamp(self, index: int) -> float:
        """Presentation time of frame `index` in seconds from the first frame."""
        return self._check_index(index) / self.fps if self.fps > 0 else 0.0

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._close()
            self.cache.clear()

    @property
    def closed(self) -> bool:
        return self._closed

    def __len__(self) -> int:
        return self.frame_count

    def __getitem__(self, index: int) -> np.ndarray:
        return self.read(index)

    def __enter__(self) -> "VideoReader":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({str(self.path)!r}, frames={self.frame_count}, "
            f"{self.width}x{self.height}, fps={self.fps:.3f}, codec={self.codec!r})"
        )

    # -- for subclasses --------------------------------------------------------------------

    def _check_index(self, index: int) -> int:
        index = int(index)
        if index < 0:
            index += self.frame_count  # numpy-style negative indices: -1 is the last frame
        if not 0 <= index < self.frame_count:
            raise IndexError(
                f"frame {index} out of range: {self.path} has {self.frame_count} frames"
            )
        return index

    @abstractmethod
    def _decode(self, index: int, cache: bool) -> np.ndarray:
        """Decode frame `index` (called with the lock held, cache already missed)."""

    @abstractmethod
    def _close(self) -> None:
        """Release files and decoders (called with the lock held)."""
