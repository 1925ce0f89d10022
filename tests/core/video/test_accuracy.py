"""Frame N from the reader equals frame N of plain sequential decoding, bit for bit."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from core.video import PyAVReader, open_video, probe_video
from conftest import SLEAP, make_video, plain_frames, requires


def assert_reads_match(path: Path, indices: list[int], **kwargs: object) -> None:
    expected = plain_frames(path)
    with open_video(path, **kwargs) as video:  # type: ignore[arg-type]
        assert video.frame_count == len(expected)
        for i in indices:
            frame = video.read(i)
            assert frame.shape == expected[i].shape and frame.dtype == np.uint8
            assert np.array_equal(frame, expected[i]), f"frame {i} of {path.name} differs"


def scattered(n: int, seed: int = 0, k: int = 25) -> list[int]:
    """Random jumps both ways, plus the ends and neighbours of every 25th frame."""
    rng = random.Random(seed)
    edges = [0, 1, n - 1, n - 2] + [j for g in range(25, n, 25) for j in (g - 1, g, g + 1)]
    picks = edges + [rng.randrange(n) for _ in range(k)]
    rng.shuffle(picks)
    return [i for i in picks if 0 <= i < n]


@pytest.mark.slow
def test_clip_keyframe_boundaries_exact() -> None:
    """Real H.264 (B-frames, keyframe every 250): 0, last, around keyframes, random jumps."""
    path = requires(SLEAP / "clip.mp4")
    with av.open(str(path)) as container:
        wanted = {0, 249, 250, 251, 499, 500, 1249, 1250, 1499, 777, 123, 1013}
        expected = {}
        for n, frame in enumerate(container.decode(video=0)):
            if n in wanted:
                expected[n] = frame.to_ndarray(format="rgb24")
        assert n == 1499
    with open_video(path) as video:
        assert (video.frame_count, video.width, video.height) == (1500, 1024, 1024)
        assert video.fps == pytest.approx(25.0)
        for i in [251, 250, 249, 1499, 0, 777, 1250, 1249, 123, 500, 499, 1013, 250]:
            assert np.array_equal(video.read(i), expected[i]), f"clip.mp4 frame {i}"


def test_centered_pair_random_access() -> None:
    path = requires(SLEAP / "centered_pair_low_quality.mp4")
    assert_reads_match(path, [0, 149, 150, 151, 1099, 600, 3, 299, 300, 1050])


@pytest.mark.parametrize(
    "name, codec, kwargs",
    [
        ("h264.mp4", "libx264", {"options": {"x264-params": "keyint=25:min-keyint=25:bframes=3", "preset": "ultrafast"}}),
        ("h264.mkv", "libx264", {"options": {"x264-params": "keyint=25:min-keyint=25:bframes=3:open-gop=1", "preset": "ultrafast"}}),
        ("hevc.mp4", "libx265", {"options": {"x265-params": "keyint=20:min-keyint=20:bframes=3:open-gop=1:log-level=none"}}),
        ("hevc.mkv", "libx265", {"options": {"x265-params": "keyint=20:min-keyint=20:bframes=3:log-level=none"}}),
        ("mpeg4.avi", "mpeg4", {"gop": 12, "bframes": 2}),
        ("mpeg4.mp4", "mpeg4", {"gop": 12, "bframes": 2}),
        ("mpeg4.mkv", "mpeg4", {"gop": 12}),
        ("mjpeg.avi", "mjpeg", {"pix_fmt": "yuvj420p"}),
        ("mjpeg.mkv", "mjpeg", {"pix_fmt": "yuvj420p"}),
        ("mjpeg.mp4", "mjpeg", {"pix_fmt": "yuvj420p"}),
    ],
)
def test_codecs_and_containers(tmp_path: Path, name: str, codec: str, kwargs: dict) -> None:
    path = make_video(tmp_path / name, codec, 70, **kwargs)
    assert_reads_match(path, scattered(70))
    assert probe_video(path).frame_count == 70


def test_variable_frame_rate(tmp_path: Path) -> None:
    """Irregular timestamps (dropped camera frames): frame N is still the N-th frame."""
    rng = random.Random(3)
    pts, t = [], 0
    for _ in range(60):
        pts.append(t)
        t += rng.choice([33, 34, 40, 67, 100])
    for ext in ("mkv", "mp4"):
        path = make_video(
            tmp_path / f"vfr.{ext}", "libx264", 60, pts=pts, time_base=Fraction(1, 1000),
            options={"x264-params": "keyint=15:bframes=2", "preset": "ultrafast"},
        )
        assert_reads_match(path, scattered(60, seed=1))
        with open_video(path) as video:
            assert video.timestamp(0) == 0.0
            assert video.timestamp(59) == pytest.approx(pts[59] / 1000, abs=2e-3)


def test_nonzero_first_timestamp(tmp_path: Path) -> None:
    pts = [5000 + 40 * i for i in range(50)]
    for ext in ("mkv", "mp4"):
        path = make_video(
            tmp_path / f"start.{ext}", "libx264", 50, pts=pts, time_base=Fraction(1, 1000),
            options={"x264-params": "keyint=10:bframes=2", "preset": "ultrafast"},
        )
        assert_reads_match(path, scattered(50, seed=2))


def test_stream_cut_mid_gop(tmp_path: Path, h264_mkv: Path) -> None:
    """A recording that starts with non-keyframes: frames a decoder drops are not counted."""
    cut = tmp_path / "cut.mkv"
    with av.open(str(h264_mkv)) as src, av.open(str(cut), "w") as dst:
        in_stream = src.streams.video[0]
        out_stream = dst.add_stream_from_template(in_stream)
        for k, packet in enumerate(src.demux(in_stream)):
            if packet.size == 0 or k < 7:
                continue  # drop the keyframe and a few frames after it
            packet.stream = out_stream
            dst.mux(packet)
    assert_reads_match(cut, scattered(len(plain_frames(cut)), seed=4, k=10))


def test_backward_stepping_fills_cache(h264_mkv: Path) -> None:
    expected = plain_frames(h264_mkv)
    with PyAVReader(h264_mkv, backfill=8) as video:
        video.read(60)
        for i in range(59, 30, -1):  # crosses keyframe 50 going backward
            assert np.array_equal(video.read(i), expected[i]), f"frame {i}"
        video.read(45)
        assert all(video.cached(i) is not None for i in range(38, 46)), "backward miss caches a chunk"


def test_forward_stepping_and_uncached_reads(h264_mkv: Path) -> None:
    expected = plain_frames(h264_mkv)
    with PyAVReader(h264_mkv, cache_mb=0) as video:  # no cache: every read decodes
        for i in list(range(0, 80)) + list(range(79, -1, -1)) + [10, 70, 5, 76]:
            assert np.array_equal(video.read(i, cache=False), expected[i]), f"frame {i}"
    with PyAVReader(h264_mkv, cache_mb=0) as video:
        for i in [40, 39, 38, 60, 10, 9, 79]:
            assert np.array_equal(video.read(i), expected[i]), f"frame {i}"


def test_negative_and_out_of_range_indices(h264_mkv: Path) -> None:
    with open_video(h264_mkv) as video:
        assert np.array_equal(video.read(-1), video.read(79))
        with pytest.raises(IndexError, match="h264.mkv"):
            video.read(80)


def test_single_thread_decoder_matches(h264_mkv: Path) -> None:
    assert_reads_match(h264_mkv, scattered(80, seed=5), threads=False)
