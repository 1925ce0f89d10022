"""Short-GOP proxies: verified copies, the proxy cache, and how readers use them."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from core.runtime.cancel import Cancelled
from core.video import ProxyCache, make_proxy, open_video
from core.video.frame_index import FrameIndex
from core.video.pyav_reader import build_index
from conftest import make_video, plain_frames


@pytest.fixture
def long_gop(tmp_path: Path) -> Path:
    return make_video(
        tmp_path / "long.mp4", "libx264", 60,
        options={"x264-params": "keyint=60:bframes=3", "preset": "ultrafast"},
    )


def test_make_proxy_is_short_gop_and_close(tmp_path: Path, long_gop: Path) -> None:
    progress: list[tuple[int, int]] = []
    report = make_proxy(long_gop, tmp_path / "p.mp4", gop=10, progress=lambda d, t: progress.append((d, t)))
    assert report.frame_count == 60 and report.gop == 10 and not report.lossless
    assert 0 <= report.mean_abs_diff < 3 and report.max_abs_diff < 64
    assert progress[-1] == (120, 120)
    index: FrameIndex = build_index(Path(report.proxy))
    assert index.keyframe_indices.tolist() == list(range(0, 60, 10))
    expected = plain_frames(long_gop)
    with open_video(long_gop, proxy=report.proxy) as video:
        assert video.proxy is not None
        preview = video.read_preview(33)
        assert np.abs(preview.astype(int) - expected[33]).max() <= report.max_abs_diff
        assert np.array_equal(video.read(33), expected[33]), "read stays exact with a lossy proxy"
        assert video.read_preview(33) is video.read(33), "an exact cached frame beats the proxy"


def test_lossless_proxy_serves_exact_reads(tmp_path: Path, long_gop: Path) -> None:
    report = make_proxy(long_gop, tmp_path / "exact.mp4", lossless=True)
    assert report.max_abs_diff == 0
    expected = plain_frames(long_gop)
    with open_video(long_gop, proxy=tmp_path / "exact.mp4") as video:
        for i in (59, 3, 41, 40, 0):
            assert np.array_equal(video.read(i), expected[i])


def test_cancel_leaves_nothing(tmp_path: Path, long_gop: Path) -> None:
    cancel = threading.Event()

    def stop_half_way(done: int, total: int) -> None:
        if done == 20:
            cancel.set()

    with pytest.raises(Cancelled):
        make_proxy(long_gop, tmp_path / "c.mp4", progress=stop_half_way, cancel=cancel)
    assert list(tmp_path.glob("c.mp4*")) == []


def test_proxy_cache(tmp_path: Path, long_gop: Path) -> None:
    cache = ProxyCache(tmp_path / "proxies")
    assert cache.lookup(long_gop) is None
    with open_video(long_gop, proxy=cache) as video:
        assert video.proxy is None
    report = cache.build(long_gop, gop=5)
    moved = long_gop.rename(tmp_path / "moved.mp4")
    assert cache.lookup(moved) == Path(report.proxy)
    with open_video(moved, proxy=cache) as video:
        assert video.proxy is not None and video.proxy.frame_count == 60
        assert video.read_preview(17).shape == (64, 96, 3)
