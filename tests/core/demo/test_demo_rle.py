"""Run-length encoding of masks: exact round trips, and COCO's reading of the same counts."""

from __future__ import annotations

import numpy as np
import pytest

from core.demo import rle


def _masks() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    empty = np.zeros((12, 17), bool)
    full = np.ones((12, 17), bool)
    corners = empty.copy()
    corners[0, 0] = corners[-1, -1] = True
    noisy = rng.random((31, 23)) > 0.6
    blob = np.zeros((40, 50), bool)
    blob[5:30, 10:44] = True
    return [empty, full, corners, noisy, blob]


@pytest.mark.parametrize("mask", _masks())
def test_encode_decode_round_trip(mask: np.ndarray) -> None:
    counts = rle.encode(mask)
    assert counts.sum() == mask.size
    assert rle.area(counts) == mask.sum()
    np.testing.assert_array_equal(rle.decode(counts, *mask.shape), mask)


def test_encode_crop_equals_full_frame_encoding() -> None:
    rng = np.random.default_rng(1)
    frame = np.zeros((30, 40), bool)
    crop = rng.random((9, 7)) > 0.4
    crop[0, 0] = crop[-1, -1] = True
    frame[20:29, 33:40] = crop
    np.testing.assert_array_equal(rle.encode_crop(crop, 20, 33, 30, 40), rle.encode(frame))


def test_decode_rejects_counts_of_another_size() -> None:
    with pytest.raises(ValueError):
        rle.decode(np.array([5, 3], np.uint32), 4, 4)


def test_counts_are_what_pycocotools_reads() -> None:
    mask_utils = pytest.importorskip("pycocotools.mask")
    for mask in _masks():
        h, w = mask.shape
        counts = rle.encode(mask)
        coco = mask_utils.frPyObjects({"size": [h, w], "counts": counts.tolist()}, h, w)
        np.testing.assert_array_equal(mask_utils.decode(coco).astype(bool), mask)
