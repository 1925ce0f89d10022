"""Frames for the window, decoded off the GUI thread: wraps core's `FramePrefetcher` and turns
its worker-thread callback into a Qt signal delivered on the GUI thread."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal

from core.video import FramePrefetcher, VideoError, open_video


class FrameSource(QObject):
    frame_ready = Signal(int)  # a frame index now decoded
    failed = Signal(str)  # a message naming the file
    _ready_from_worker = Signal(int)
    _error_from_worker = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reader = None
        self._prefetcher: FramePrefetcher | None = None
        self._last = 0
        # Queued: the worker thread emits, the GUI thread handles.
        self._ready_from_worker.connect(self.frame_ready, Qt.ConnectionType.QueuedConnection)
        self._error_from_worker.connect(self.failed, Qt.ConnectionType.QueuedConnection)

    def open(self, path: str, index_cache_dir: Path | None = None) -> bool:
        """Open a video; on failure emit `failed` and keep nothing open. The packet index (a
        scan of the whole file: about a second for 200,000 frames) is kept in `index_cache_dir`
        for the next opening."""
        self.close()
        try:
            self._reader = open_video(path, index_cache_dir=index_cache_dir)
        except VideoError as error:
            self.failed.emit(str(error))
            return False
        self._prefetcher = FramePrefetcher(
            self._reader,
            on_ready=self._ready_from_worker.emit,
            on_error=lambda index, error: self._error_from_worker.emit(str(error)),
        )
        return True

    def request(self, index: int) -> np.ndarray | None:
        """The frame if decoded already; otherwise None, and `frame_ready` follows."""
        if self._prefetcher is None:
            return None
        direction = -1 if index < self._last else 1
        self._last = index
        frame = self._prefetcher.get(index)
        self._prefetcher.request(index, direction)
        return frame

    def cached(self, index: int) -> np.ndarray | None:
        return None if self._prefetcher is None else self._prefetcher.get(index)

    def close(self) -> None:
        if self._prefetcher is not None:
            self._prefetcher.stop()
        if self._reader is not None:
            self._reader.close()
        self._reader = self._prefetcher = None
