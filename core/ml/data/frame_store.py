"""Labelled frames decoded once per job, never a random video seek per sample per epoch.

`FrameStore` reads each needed frame of a project once (in frame order per video, so the
reader streams instead of seeking), keeps it in memory as RGB uint8, and can persist them as
lossless PNG under the project's cache folder so the next job on the same labels starts
instantly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import cv2
import numpy as np

from core.project import Project
from core.video import open_video

FrameKey = tuple[int, int]


class FrameStore:
    def __init__(self, project: Project, cache_dir: Path | None = None) -> None:
        self.project = project
        self.cache_dir = cache_dir
        self._frames: dict[FrameKey, np.ndarray] = {}

    def load(self, keys: Iterable[FrameKey], progress: Callable[[int, int], None] | None = None) -> None:
        """Decode (or read from the disk cache) every frame in `keys`."""
        wanted = sorted(set(keys) - set(self._frames))
        by_video: dict[int, list[int]] = {}
        for video_id, index in wanted:
            by_video.setdefault(video_id, []).append(index)
        done = 0
        for video_id, indices in by_video.items():
            video = self.project.videos.get(video_id)
            folder = self._folder(video.fingerprint)
            reader = None
            try:
                for index in indices:
                    cached = folder / f"{index:08d}.png" if folder else None
                    if cached is not None and cached.is_file():
                        frame = cv2.cvtColor(cv2.imread(str(cached), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
                    else:
                        reader = reader or open_video(video.path, cache_mb=64)
                        frame = np.array(reader.read(index))
                        if cached is not None:
                            cached.parent.mkdir(parents=True, exist_ok=True)
                            cv2.imwrite(str(cached), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
                    self._frames[(video_id, index)] = frame
                    done += 1
                    if progress is not None:
                        progress(done, len(wanted))
            finally:
                if reader is not None:
                    reader.close()

    def _folder(self, fingerprint: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / fingerprint[:16]

    def __getitem__(self, key: FrameKey) -> np.ndarray:
        return self._frames[key]

    def __contains__(self, key: FrameKey) -> bool:
        return key in self._frames

    def __len__(self) -> int:
        return len(self._frames)
