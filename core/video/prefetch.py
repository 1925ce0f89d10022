"""Background decoding around the current frame, so the GUI thread never decodes.

`FramePrefetcher` runs one plain `threading.Thread` per reader. The GUI calls
`request(index, direction)` whenever the current frame changes; the worker decodes the
target first, then the frames ahead in the direction of travel, then a few behind, into the
reader's LRU cache. A newer request interrupts the plan between two frames. The GUI takes
frames with `get` (never blocks) and learns that one arrived through `on_ready`, called on
the worker thread: the GUI wraps it in a Qt signal to get back to its own thread.
"""

from __future__ import annotations

import threading
from typing import Callable

import numpy as np

from .base import VideoReader
from .errors import VideoError


class FramePrefetcher:
    """Decodes frames around the requested position on a background thread."""

    def __init__(
        self,
        reader: VideoReader,
        *,
        ahead: int = 16,
        behind: int = 4,
        on_ready: Callable[[int], None] | None = None,
        on_error: Callable[[int, VideoError], None] | None = None,
    ) -> None:
        self.reader = reader
        # More than the cache can hold would evict the frames just prefetched.
        fit = max(reader.cache.capacity_frames(reader.frame_bytes) - 2, 1)
        self.ahead = min(ahead, fit)
        self.behind = min(behind, max(fit - self.ahead, 0))
        self.on_ready = on_ready
        self.on_error = on_error
        self.last_error: VideoError | None = None
        self._cond = threading.Condition()
        self._generation = 0  # bumped by every request, so the worker drops a stale plan
        self._center: int | None = None
        self._direction = 1
        self._idle = True
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="FramePrefetcher", daemon=True)
        self._thread.start()

    def request(self, index: int, direction: int = 1) -> None:
        """Make `index` the current frame; `direction` is +1 playing forward, -1 backward."""
        with self._cond:
            self._center = int(index)
            self._direction = -1 if direction < 0 else 1
            self._generation += 1
            self._idle = False
            self._cond.notify_all()

    def get(self, index: int) -> np.ndarray | None:
        """Frame `index` if already decoded, else None (ask with `request`)."""
        return self.reader.cached(index)

    def wait_for(self, index: int, timeout: float | None = None) -> np.ndarray | None:
        """Block until frame `index` is cached (for scripts and tests; not for the GUI)."""
        with self._cond:
            self._cond.wait_for(lambda: self.reader.cached(index) is not None or self._idle_for(index), timeout)
        return self.reader.cached(index)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the current plan is done; True if it is."""
        with self._cond:
            return self._cond.wait_for(lambda: self._idle or self._stop, timeout)

    def stop(self) -> None:
        """Stop the worker after the frame it is decoding; idempotent."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join()

    def __enter__(self) -> "FramePrefetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- worker ----------------------------------------------------------------------------

    def _idle_for(self, index: int) -> bool:
        # The plan finished (or failed) without this frame: waiting longer would hang.
        return self._idle or self._stop

    def plan(self, center: int, direction: int) -> list[int]:
        """Indices to decode, most urgent first."""
        n = self.reader.frame_count
        ahead = [center + direction * k for k in range(self.ahead + 1)]
        behind = [center - direction * k for k in range(1, self.behind + 1)]
        return [i for i in ahead + behind if 0 <= i < n]

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stop or not self._idle)
                if self._stop:
                    return
                generation, center, direction = self._generation, self._center, self._direction
            assert center is not None
            for index in self.plan(center, direction):
                with self._cond:
                    if self._stop or self._generation != generation:
                        break
                if self.reader.cached(index) is not None:
                    continue
                try:
                    self.reader.read(index)
                except (VideoError, IndexError) as exc:
                    if isinstance(exc, VideoError):
                        self.last_error = exc
                        if self.on_error is not None:
                            self.on_error(index, exc)
                    continue
                if self.on_ready is not None:
                    self.on_ready(index)
                with self._cond:
                    self._cond.notify_all()  # wake `wait_for` callers
            with self._cond:
                if self._generation == generation:
                    self._idle = True
                self._cond.notify_all()
