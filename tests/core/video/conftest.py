"""Fixtures for the video engine tests: tiny synthetic videos made with PyAV in tmp_path,
and the plain sequential decode that defines which pixels frame N must have."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Sequence

import av
import numpy as np
import pytest

DATA = Path(__file__).parents[3] / ".." / "shared" / "data"
SLEAP = DATA / "sleap"

W, H = 96, 64


def synthetic_rgb(i: int) -> np.ndarray:
    """A frame that differs from every other: a moving bright square on a seeded texture."""
    rng = np.random.default_rng(i % 7)
    frame = (rng.integers(0, 60, size=(H, W, 3), dtype=np.uint8) + (i * 3) % 100).astype(np.uint8)
    x, y = (i * 5) % (W - 16), (i * 3) % (H - 16)
    frame[y : y + 16, x : x + 16] = (255, 200 - (i % 50), (i * 11) % 256)
    return frame


def make_video(
    path: Path,
    codec: str,
    n: int = 60,
    *,
    pix_fmt: str = "yuv420p",
    options: dict[str, str] | None = None,
    gop: int | None = None,
    bframes: int | None = None,
    pts: Sequence[int] | None = None,
    time_base: Fraction | None = None,
    rate: int = 25,
) -> Path:
    """Encode `n` synthetic frames; `pts`/`time_base` give explicit (e.g. irregular) timestamps."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = W, H, pix_fmt
        if gop is not None:
            stream.codec_context.gop_size = gop
        if bframes is not None:
            stream.codec_context.max_b_frames = bframes
        if time_base is not None:
            stream.codec_context.time_base = time_base
        stream.options = dict(options or {})
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(synthetic_rgb(i), format="rgb24")
            if pts is not None:
                frame.pts, frame.time_base = pts[i], time_base
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def plain_frames(path: Path) -> list[np.ndarray]:
    """Every frame of plain sequential PyAV decoding: the definition of frame N."""
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def requires(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"test data not available: {path}")
    return path


@pytest.fixture
def h264_mkv(tmp_path: Path) -> Path:
    """H.264 with B-frames and a keyframe every 25 frames, in Matroska."""
    return make_video(
        tmp_path / "h264.mkv", "libx264", 80,
        options={"x264-params": "keyint=25:min-keyint=25:scenecut=0:bframes=3", "preset": "ultrafast"},
    )


@pytest.fixture
def image_folder(tmp_path: Path) -> Path:
    """img0.png .. img11.png, written in an order that plain string sorting gets wrong."""
    import cv2

    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(12):
        cv2.imwrite(str(folder / f"img{i}.png"), cv2.cvtColor(synthetic_rgb(i), cv2.COLOR_RGB2BGR))
    (folder / "notes.txt").write_text("not an image")
    return folder
