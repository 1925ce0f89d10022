"""Image folders read as videos: natural order, grey and 16-bit images, size mismatches."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from core.video import VideoCorruptError, fingerprint_file, open_video, probe_video
from conftest import synthetic_rgb


def test_natural_order_and_exact_pixels(image_folder: Path) -> None:
    with open_video(image_folder, image_fps=10) as video:
        assert (video.frame_count, video.width, video.height, video.fps) == (12, 96, 64, 10.0)
        assert [p.name for p in video.files][:3] == ["img0.png", "img1.png", "img2.png"]
        assert video.files[10].name == "img10.png"
        for i in (11, 2, 10, 0, 5):
            assert np.array_equal(video.read(i), synthetic_rgb(i)), f"frame {i}"
    info = probe_video(image_folder)
    assert (info.frame_count, info.codec) == (12, "images")


def test_grey_16bit_and_jpeg(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    grey = np.arange(64 * 96, dtype=np.uint16).reshape(64, 96) * 10
    cv2.imwrite(str(folder / "a1.tif"), grey)
    cv2.imwrite(str(folder / "a2.jpg"), synthetic_rgb(0))
    cv2.imwrite(str(folder / "a3.png"), (grey >> 8).astype(np.uint8))
    with open_video(folder) as video:
        first = video.read(0)
        assert first.shape == (64, 96, 3) and first.dtype == np.uint8
        assert np.array_equal(first[..., 0], (grey >> 8).astype(np.uint8))
        assert np.array_equal(video.read(2), first)
        assert video.read(1).shape == (64, 96, 3)


def test_size_mismatch_names_the_image(tmp_path: Path, image_folder: Path) -> None:
    cv2.imwrite(str(image_folder / "img7.png"), np.zeros((10, 10, 3), np.uint8))
    with open_video(image_folder) as video:
        with pytest.raises(VideoCorruptError, match="img7.png"):
            video.read(7)


def test_damaged_image_and_empty_folder(tmp_path: Path, image_folder: Path) -> None:
    (image_folder / "img4.png").write_bytes(b"not a png")
    with open_video(image_folder) as video:
        with pytest.raises(VideoCorruptError, match="img4.png"):
            video.read(4)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(VideoCorruptError, match="empty"):
        open_video(empty)


def test_folder_fingerprint_follows_names_and_sizes(tmp_path: Path, image_folder: Path) -> None:
    before = fingerprint_file(image_folder)
    moved = image_folder.rename(tmp_path / "moved")
    assert fingerprint_file(moved) == before
    (moved / "img12.png").write_bytes((moved / "img0.png").read_bytes())
    assert fingerprint_file(moved) != before
