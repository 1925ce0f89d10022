"""Bad input gives a typed VideoError whose message names the file, never a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from core.video import (
    UnsupportedCodecError,
    VideoCorruptError,
    VideoError,
    VideoNotFoundError,
    open_video,
    probe_video,
)
from conftest import SLEAP, make_video, plain_frames, requires


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.mp4"
    with pytest.raises(VideoNotFoundError, match="nope.mp4"):
        open_video(missing)
    with pytest.raises(VideoNotFoundError, match="nope.mp4"):
        probe_video(missing)


def test_text_file_renamed_mp4(tmp_path: Path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are my notes, not a video\n" * 50)
    with pytest.raises(VideoCorruptError, match="notes.mp4"):
        open_video(fake)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.avi"
    empty.write_bytes(b"")
    with pytest.raises(VideoCorruptError, match="empty.avi"):
        open_video(empty)


def test_clip_cut_in_half(tmp_path: Path) -> None:
    """clip.mp4 keeps its index (moov) at the end: half a file is not a readable video."""
    source = requires(SLEAP / "clip.mp4")
    data = source.read_bytes()
    half = tmp_path / "half.mp4"
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(VideoCorruptError, match="half.mp4"):
        open_video(half)


@pytest.mark.parametrize("ext", ["mkv", "ts"])
def test_truncated_streamable_file(tmp_path: Path, ext: str) -> None:
    """A cut Matroska/TS file still opens: frames before the cut are exact, none past it lies."""
    full = make_video(
        tmp_path / f"full.{ext}", "libx264", 80,
        options={"x264-params": "keyint=20:bframes=2", "preset": "ultrafast"},
    )
    cut = tmp_path / f"cut.{ext}"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    expected = plain_frames(full)
    decodable = len(plain_frames(cut))
    with open_video(cut) as video:
        assert 0 < video.frame_count < 80
        for i in range(0, min(decodable, video.frame_count) - 3, 7):
            assert np.array_equal(video.read(i), expected[i])
        # The last indexed packet may be cut mid-way: reading it either works or says so.
        for i in range(max(decodable - 3, 0), video.frame_count):
            try:
                video.read(i)
            except VideoCorruptError as exc:
                assert "cut." in str(exc) and f"frame {i}".lower() in str(exc).lower()


def test_file_deleted_while_open(tmp_path: Path, h264_mkv: Path) -> None:
    expected = plain_frames(h264_mkv)
    with open_video(h264_mkv) as video:
        video.read(5)
        h264_mkv.unlink()
        # POSIX keeps the open file readable; wherever it is not, the error must be typed.
        for i in (60, 2, 79):
            try:
                assert np.array_equal(video.read(i), expected[i])
            except VideoError as exc:
                assert "h264.mkv" in str(exc)
    with pytest.raises(VideoNotFoundError, match="h264.mkv"):
        open_video(h264_mkv)


def test_image_deleted_from_open_folder(tmp_path: Path, image_folder: Path) -> None:
    with open_video(image_folder) as video:
        (image_folder / "img3.png").unlink()
        with pytest.raises(VideoNotFoundError, match="img3.png"):
            video.read(3)
        shutil.rmtree(image_folder)
        with pytest.raises(VideoNotFoundError, match="img5.png"):
            video.read(5)


def test_unknown_codec(tmp_path: Path) -> None:
    """An AVI whose codec tag no decoder knows."""
    good = make_video(tmp_path / "good.avi", "mpeg4", 10)
    data = good.read_bytes()
    assert data.count(b"FMP4") >= 1
    bad = tmp_path / "alien.avi"
    bad.write_bytes(data.replace(b"FMP4", b"QQQQ").replace(b"fmp4", b"qqqq"))
    with pytest.raises(UnsupportedCodecError, match="alien.avi"):
        open_video(bad)


def test_errors_are_video_errors() -> None:
    for cls in (VideoNotFoundError, VideoCorruptError, UnsupportedCodecError):
        assert issubclass(cls, VideoError)


def test_closed_reader(h264_mkv: Path) -> None:
    video = open_video(h264_mkv, cache_mb=0)
    video.close()
    with pytest.raises(VideoError, match="h264.mkv"):
        video.read(1)
