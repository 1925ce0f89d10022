"""The background prefetcher and timeline thumbnails."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from core.runtime.cancel import Cancelled
from core.video import FramePrefetcher, open_video, thumbnails
from core.video.thumbnails import thumbnail_indices
from conftest import plain_frames


def test_prefetcher_decodes_ahead_on_its_thread(h264_mkv: Path) -> None:
    expected = plain_frames(h264_mkv)
    ready: list[tuple[int, str]] = []
    with open_video(h264_mkv) as video, FramePrefetcher(
        video, ahead=6, behind=2, on_ready=lambda i: ready.append((i, threading.current_thread().name))
    ) as prefetcher:
        prefetcher.request(30, direction=1)
        assert prefetcher.wait_idle(timeout=30)
        for i in range(28, 37):
            frame = prefetcher.get(i)
            assert frame is not None and np.array_equal(frame, expected[i]), f"frame {i}"
        assert {name for _, name in ready} == {"FramePrefetcher"}
        assert ready[0][0] == 30, "the requested frame comes first"
        prefetcher.request(70, direction=-1)
        assert np.array_equal(prefetcher.wait_for(64, timeout=30), expected[64])
        assert prefetcher.wait_idle(timeout=30)
        assert all(prefetcher.get(i) is not None for i in range(64, 73))
    assert not prefetcher._thread.is_alive()


def test_prefetcher_survives_rapid_requests(h264_mkv: Path) -> None:
    expected = plain_frames(h264_mkv)
    with open_video(h264_mkv) as video, FramePrefetcher(video, ahead=4) as prefetcher:
        for i in range(0, 80, 3):
            prefetcher.request(i)
        prefetcher.request(55)
        assert prefetcher.wait_idle(timeout=30)
        assert np.array_equal(prefetcher.get(55), expected[55])
        assert prefetcher.last_error is None


def test_prefetcher_near_the_end(h264_mkv: Path) -> None:
    with open_video(h264_mkv) as video, FramePrefetcher(video, ahead=10) as prefetcher:
        assert prefetcher.plan(78, 1) == [78, 79, 77, 76, 75, 74]
        prefetcher.request(79)
        assert prefetcher.wait_for(79, timeout=30) is not None


def test_thumbnails(h264_mkv: Path) -> None:
    expected = plain_frames(h264_mkv)
    progress: list[tuple[int, int]] = []
    with open_video(h264_mkv) as video:
        thumbs = thumbnails(video, 5, 32, progress=lambda d, t: progress.append((d, t)))
        keys = set(video.keyframe_indices().tolist())
        assert [t.index for t in thumbs] == sorted({t.index for t in thumbs})
        assert {t.index for t in thumbs} <= keys
        assert all(t.image.shape == (32, 48, 3) and t.image.dtype == np.uint8 for t in thumbs)
        assert progress[-1] == (len(thumbs), len(thumbs))
        exact = thumbnails(video, 4, 16, snap_to_keyframes=False)
        assert [t.index for t in exact] == [0, 26, 53, 79]
        assert abs(int(exact[-1].image.mean()) - int(expected[79].mean())) <= 2
        assert len(video.cache) == 0, "thumbnails do not evict the user's frames"
        cancel = threading.Event()
        cancel.set()
        with pytest.raises(Cancelled):
            thumbnails(video, 5, 32, cancel=cancel)
    assert thumbnail_indices(video, 0) == []
