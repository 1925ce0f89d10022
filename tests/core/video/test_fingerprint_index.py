"""Content fingerprints for relinking, and the on-disk packet index cache."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from core.video import VideoNotFoundError, fingerprint_file, open_video
from core.video.frame_index import FrameIndex
from conftest import plain_frames


def test_fingerprint_definition(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    data = np.random.default_rng(0).integers(0, 256, size=3 * 2**20 + 17, dtype=np.uint8).tobytes()
    big.write_bytes(data)
    expected = hashlib.sha256(b"%d\n" % len(data) + data[: 2**20] + data[-(2**20) :]).hexdigest()
    assert fingerprint_file(big) == expected
    moved = big.rename(tmp_path / "renamed.bin")
    assert fingerprint_file(moved) == expected
    # A change in the middle is not seen (by design: cheap); a change at the end is.
    moved.write_bytes(data[:-1] + b"\0" if data[-1] else data[:-1] + b"\1")
    assert fingerprint_file(moved) != expected


def test_fingerprint_small_file_and_missing(tmp_path: Path) -> None:
    small = tmp_path / "s.mp4"
    small.write_bytes(b"abc")
    assert fingerprint_file(small) == hashlib.sha256(b"3\nabc").hexdigest()
    with pytest.raises(VideoNotFoundError, match="gone.mp4"):
        fingerprint_file(tmp_path / "gone.mp4")


def test_index_cache_round_trip(tmp_path: Path, h264_mkv: Path) -> None:
    cache = tmp_path / "cache"
    with open_video(h264_mkv, index_cache_dir=cache) as first:
        built = first.index
    files = list(cache.glob("*.index.npz"))
    assert [f.name for f in files] == [f"{fingerprint_file(h264_mkv)}.index.npz"]
    loaded = FrameIndex.load(files[0])
    assert loaded is not None and np.array_equal(loaded.pts, built.pts)
    assert np.array_equal(loaded.key_pts, built.key_pts) and loaded.time_base == built.time_base
    expected = plain_frames(h264_mkv)
    with open_video(h264_mkv, index_cache_dir=cache) as second:
        assert second.frame_count == 80
        for i in (79, 26, 0, 49):
            assert np.array_equal(second.read(i), expected[i])


def test_damaged_index_cache_is_rebuilt(tmp_path: Path, h264_mkv: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{fingerprint_file(h264_mkv)}.index.npz").write_bytes(b"garbage")
    with open_video(h264_mkv, index_cache_dir=cache) as video:
        assert video.frame_count == 80
