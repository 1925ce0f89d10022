"""GrabCut turns a box into the mask of the object inside it, offline, on plain pixels."""

from __future__ import annotations

import numpy as np

from core.domain import Box
from core.geometry.grabcut import mask_from_box


def _disc_scene(height: int = 240, width: int = 320, cx: int = 150, cy: int = 120, r: int = 45) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:height, :width]
    disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= r**2
    frame = rng.integers(10, 50, size=(height, width, 3)).astype(np.uint8)  # dark, a little noisy
    frame[disc] = rng.integers(200, 250, size=(int(disc.sum()), 3)).astype(np.uint8)
    return frame, disc


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def test_a_bright_disc_in_its_box_is_segmented():
    frame, disc = _disc_scene()
    mask = mask_from_box(frame, Box(95, 65, 205, 175))
    assert mask.shape == disc.shape and mask.dtype == bool
    assert _iou(mask, disc) > 0.8


def test_nothing_outside_the_box_is_foreground_and_a_box_at_the_edge_works():
    frame, disc = _disc_scene(cx=40, cy=40, r=35)
    box = Box(0, 0, 85, 85)
    mask = mask_from_box(frame, box, iterations=3)
    assert not mask[:, 86:].any() and not mask[86:, :].any()
    assert _iou(mask, disc) > 0.8


def test_a_degenerate_or_outside_box_gives_an_empty_mask():
    frame, _ = _disc_scene()
    assert not mask_from_box(frame, Box(10, 10, 11, 50)).any()
    assert not mask_from_box(frame, Box(400, 300, 500, 400)).any()


def test_a_grey_frame_is_accepted():
    frame, disc = _disc_scene()
    mask = mask_from_box(frame[:, :, 0], Box(95, 65, 205, 175))
    assert _iou(mask, disc) > 0.8
