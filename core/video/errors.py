"""Typed errors raised by the video engine.

The GUI catches `VideoError` (or a subclass) and shows its message as is, so every message
names the file it is about. Nothing here depends on PyAV: callers never need to import it to
handle a video failure.
"""

from __future__ import annotations

from pathlib import Path


class VideoError(Exception):
    """Any failure to open or read a video or an image folder."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None


class VideoNotFoundError(VideoError):
    """The video file, image folder or one of its images does not exist (any more)."""


class VideoCorruptError(VideoError):
    """The file is not a video, is truncated, or a frame cannot be decoded."""


class UnsupportedCodecError(VideoError):
    """The file is a video, but this installation has no decoder for its codec."""

