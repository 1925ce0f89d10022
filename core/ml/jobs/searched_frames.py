"""Which frames of a video a model has already searched, found something or not, so that
`predict --resume` skips them all: predictions in the store only mark the frames where the
model found an animal, and a resume used to run again over every empty frame.

Kept beside the model's checkpoint as one bit per frame (`searched-video<N>.npy`, 2.5 KB for
20,000 frames), written after each batch atomically (a temporary file moved into place), so a
job killed at any point resumes at most one batch early. A missing or unreadable file means
nothing is known: the job then searches those frames again, which is only slower.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np


class SearchedFrames:
    def __init__(self, folder: Path, video_id: int, frame_count: int) -> None:
        self.path = Path(folder) / f"searched-video{video_id}.npy"
        self.frame_count = frame_count
        self.bits = self._load()

    def _load(self) -> np.ndarray:
        try:
            packed = np.load(self.path, allow_pickle=False)
            bits = np.unpackbits(packed.astype(np.uint8))[: self.frame_count].astype(bool)
            if bits.size == self.frame_count:
                return bits
        except (OSError, ValueError):
            pass
        return np.zeros(self.frame_count, dtype=bool)

    def frames(self) -> set[int]:
        return set(np.flatnonzero(self.bits).tolist())

    def add(self, indices: Iterable[int]) -> None:
        wanted = np.fromiter((i for i in indices if 0 <= i < self.frame_count), dtype=np.int64)
        self.bits[wanted] = True
        self._save()

    def _save(self) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp.npy")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.save(temporary, np.packbits(self.bits))
            os.replace(temporary, self.path)
        except OSError:
            pass  # a record for resuming only: a full disk must not stop the predictions
