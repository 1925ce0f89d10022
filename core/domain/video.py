"""A video of the project: where it lives and what it is, so a moved file can be relinked."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Video:
    """`fingerprint` identifies the content (size and hashes of its ends) wherever the file moves."""

    path: str
    frame_count: int
    fps: float
    width: int
    height: int
    fingerprint: str
    name: str | None = None
    id: int | None = None

    @property
    def display_name(self) -> str:
        from pathlib import PurePath

        return self.name or PurePath(self.path).name
