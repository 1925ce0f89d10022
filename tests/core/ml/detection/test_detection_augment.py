"""Augmentation moves boxes and masks with the pixels, and its options are checked."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from core.domain import Rle
from core.ml.tasks.detection.augment import Augment, augment_options
from core.ml.tasks.detection.labels import FrameTarget

GEOMETRY_ONLY = {"hflip": 0.5, "vflip": 0.5, "rotation": 30.0, "scale": (0.7, 1.3), "translate": 0.15,
                 "brightness": 0.0, "contrast": 0.0, "saturation": 0.0, "gamma": 0.0, "blur": 0.0, "noise": 0.0}  # fmt: skip


def _scene(height: int = 96, width: int = 128) -> tuple[np.ndarray, FrameTarget]:
    """Two bright ellipses ("animals") on black: the masks are exactly the bright pixels."""
    frame = np.zeros((height, width, 3), np.uint8)
    masks = []
    for center, axes, angle, colour in (((40, 40), (22, 9), 30, (255, 200, 120)), ((90, 60), (16, 12), -20, (120, 255, 200))):
        mask = np.zeros((height, width), np.uint8)
        cv2.ellipse(mask, center, axes, angle, 0, 360, 1, -1)
        frame[mask.astype(bool)] = colour
        masks.append(Rle.from_array(mask.astype(bool)))
    boxes = np.array([m.bounding_box().as_tuple() for m in masks], np.float32)
    return frame, FrameTarget((1, 0), boxes, np.array([1, 1]), tuple(masks), tight=True)


@pytest.mark.parametrize("seed", range(6))
def test_masks_and_boxes_follow_the_image(seed):
    torch.manual_seed(seed)
    frame, target = _scene()
    image, out = Augment(GEOMETRY_ONLY, with_masks=True)(frame, target)
    assert image.dtype == torch.float32 and image.shape == (3, 96, 128)
    bright = image.max(0).values > 0.25
    union = out["masks"].bool().any(0)
    assert len(out["masks"]) == len(out["boxes"]) == len(out["labels"]) >= 1
    iou = (bright & union).sum() / (bright | union).sum()
    assert iou > 0.9  # only bilinear edge pixels may disagree
    for mask, box in zip(out["masks"].bool(), out["boxes"]):
        ys, xs = torch.nonzero(mask, as_tuple=True)
        tight = torch.tensor([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=torch.float32)
        assert torch.allclose(box, tight), "boxes are re-taken from the moved masks"


def test_box_only_frames_rotate_a_little_and_keep_the_animal_inside():
    torch.manual_seed(0)
    frame, target = _scene()
    box_only = FrameTarget(target.key, target.boxes, target.labels)
    for _ in range(5):
        image, out = Augment(GEOMETRY_ONLY)(frame, box_only)
        assert "masks" not in out
        bright = image.max(0).values > 0.25
        inside = torch.zeros_like(bright)
        for x1, y1, x2, y2 in out["boxes"].round().int().tolist():
            inside[max(y1 - 1, 0) : y2 + 1, max(x1 - 1, 0) : x2 + 1] = True
        assert (bright & ~inside).sum() <= 0.02 * bright.sum()


def test_photometric_changes_leave_the_labels_and_no_augmentation_changes_nothing():
    frame, target = _scene()
    torch.manual_seed(1)
    image, out = Augment({"hflip": 0.0, "vflip": 0.0, "rotation": 0.0, "scale": (1.0, 1.0), "translate": 0.0,
                          "blur": 1.0, "noise": 0.05, "gamma": 0.3}, with_masks=True)(frame, target)  # fmt: skip
    assert torch.equal(out["boxes"], torch.from_numpy(target.boxes))
    assert torch.equal(out["masks"], torch.from_numpy(target.mask_array()))
    assert not torch.allclose(image, torch.from_numpy(frame).permute(2, 0, 1).float() / 255)
    image, out = Augment(False, with_masks=True)(frame, target)
    assert torch.allclose(image, torch.from_numpy(frame).permute(2, 0, 1).float() / 255)
    assert torch.equal(out["boxes"], torch.from_numpy(target.boxes))


def test_an_animal_pushed_out_of_the_frame_is_dropped_with_its_mask_and_label():
    frame, target = _scene()
    corner = np.zeros((96, 128), bool)
    corner[:4, :4] = True
    edge = FrameTarget(target.key, np.array([[0, 0, 4, 4], *target.boxes[1:]], np.float32), np.array([1, 2]),
                       (Rle.from_array(corner), target.masks[1]), tight=True)  # fmt: skip
    shift = {**GEOMETRY_ONLY, "hflip": 0.0, "vflip": 0.0, "rotation": 0.0, "scale": (1.0, 1.0), "translate": 0.3}
    counts = set()
    for seed in range(10):
        torch.manual_seed(seed)
        _, out = Augment(shift, with_masks=True)(frame, edge)
        assert len(out["boxes"]) == len(out["masks"]) == len(out["labels"])
        assert all(m.any() for m in out["masks"])
        counts.add(tuple(out["labels"].tolist()))
    assert (2,) in counts and (1, 2) in counts  # the corner animal left the frame at least once, and stayed once


def test_unknown_options_are_refused():
    with pytest.raises(ValueError, match="unknown augmentation option"):
        augment_options({"flip": 0.5})
    assert augment_options(False).rotation == 0.0 and augment_options(None).hflip == 0.5
    assert augment_options({"rotate": 7.0}).rotation == 7.0  # detection's old name for it, as pose spells it
