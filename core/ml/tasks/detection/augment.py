"""Training augmentation for boxes and masks, with torchvision.transforms.v2 and tv_tensors.

The image, its `BoundingBoxes` and its `Mask`s go through one v2 pipeline, so flips, rotation,
scale and translation move the labels with the pixels. Photometric changes (brightness,
contrast, saturation, gamma, blur, sensor noise) touch the image only. When a frame's masks
are its boxes' source (`FrameTarget.tight`), the boxes are re-taken from the moved masks: a
rotated box's corners enclose much more than the rotated animal. Frames with boxes only are
rotated by at most `max_box_only_rotation` degrees for the same reason.

Options (all optional, in `options["augment"]`), with their defaults in `config.DetectionAugment`:
hflip, vflip (probabilities), rotation (degrees, +-; `rotate` is read as rotation), scale ([low, high] zoom), translate
(fraction of the frame), brightness, contrast, saturation, hue (ColorJitter), gamma (+-
fraction), blur (probability of a Gaussian blur), noise (sigma of Gaussian noise, image in
[0, 1]). `{"augment": False}` turns everything off.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch
from torchvision import tv_tensors
from torchvision.ops import masks_to_boxes
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F

from core.ml.tasks.detection.config import DetectionAugment
from core.ml.tasks.detection.labels import FrameTarget

max_box_only_rotation = 5.0


def augment_options(options: DetectionAugment | dict[str, Any] | bool | None) -> DetectionAugment:
    """The full option set: defaults updated by `options` (False: no augmentation at all)."""
    return DetectionAugment.from_options(options)


class RandomGamma:
    """Gamma in [1 - g, 1 + g] on a float image in [0, 1] (dimmer or brighter mid-tones)."""

    def __init__(self, amount: float) -> None:
        self.amount = amount

    def __call__(self, sample: dict[str, Any]) -> dict[str, Any]:
        if self.amount > 0:
            gamma = random.uniform(max(1 - self.amount, 0.1), 1 + self.amount)
            sample["image"] = tv_tensors.wrap(F.adjust_gamma(sample["image"], gamma), like=sample["image"])
        return sample


class Augment:
    """Callable: (RGB uint8 frame (H, W, 3), FrameTarget) -> (float image (3, H, W) in [0, 1],
    target dict with "boxes" (n, 4) float32, "labels" (n,) int64 and, with masks, "masks"
    (n, H, W) uint8), the form torchvision's detectors train on."""

    def __init__(self, options: DetectionAugment | dict[str, Any] | bool | None = None, with_masks: bool = False) -> None:
        o = augment_options(options)
        self.options, self.with_masks = o, with_masks
        self.geometry = {rotate: self._geometry(o, rotate) for rotate in {o.rotation, min(o.rotation, max_box_only_rotation)}}
        photometric: list[Any] = []
        if any((o.brightness, o.contrast, o.saturation, o.hue)):
            photometric.append(v2.ColorJitter(o.brightness, o.contrast, o.saturation, o.hue))
        photometric.append(v2.ToDtype({tv_tensors.Image: torch.float32, "others": None}, scale=True))
        photometric.append(RandomGamma(o.gamma))
        if o.blur > 0:
            photometric.append(v2.RandomApply([v2.GaussianBlur(5, (0.1, 1.5))], p=o.blur))
        if o.noise > 0:
            photometric.append(v2.GaussianNoise(sigma=o.noise, clip=True))
        self.photometric = v2.Compose(photometric)
        self.sanitize = v2.SanitizeBoundingBoxes(min_size=2.0)

    @staticmethod
    def _geometry(o: DetectionAugment, rotate: float) -> v2.Transform:
        steps: list[Any] = []
        if o.hflip > 0:
            steps.append(v2.RandomHorizontalFlip(o.hflip))
        if o.vflip > 0:
            steps.append(v2.RandomVerticalFlip(o.vflip))
        if rotate > 0 or o.translate > 0 or tuple(o.scale) != (1.0, 1.0):
            steps.append(v2.RandomAffine(rotate, (o.translate, o.translate), tuple(o.scale),
                                         interpolation=v2.InterpolationMode.BILINEAR))  # fmt: skip
        return v2.Compose(steps) if steps else v2.Identity()

    def __call__(self, frame: np.ndarray, target: FrameTarget) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        height, width = frame.shape[:2]
        sample: dict[str, Any] = {
            "image": tv_tensors.Image(torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1)),
            "boxes": tv_tensors.BoundingBoxes(torch.from_numpy(target.boxes).float(), format="XYXY", canvas_size=(height, width)),
            "labels": torch.from_numpy(target.labels),
        }  # fmt: skip
        use_masks = bool(target.masks) and (self.with_masks or target.tight)
        if use_masks:
            sample["masks"] = tv_tensors.Mask(torch.from_numpy(target.mask_array()))
        rotate = self.options.rotation if target.tight else min(self.options.rotation, max_box_only_rotation)
        sample = self.geometry[rotate](sample)
        if use_masks and target.tight:
            sample["boxes"] = _boxes_of(sample["masks"], sample["boxes"])
        sample = self.photometric(sample)
        sample = self.sanitize(v2.ClampBoundingBoxes()(sample))
        out = {"boxes": sample["boxes"].as_subclass(torch.Tensor).float(), "labels": sample["labels"]}
        if self.with_masks:
            out["masks"] = sample["masks"].as_subclass(torch.Tensor)
        return sample["image"].as_subclass(torch.Tensor), out


def _boxes_of(masks: torch.Tensor, boxes: tv_tensors.BoundingBoxes) -> tv_tensors.BoundingBoxes:
    """Tight boxes (pixel edges: x2 = last column + 1) of moved masks; an emptied mask gets a
    degenerate box, which SanitizeBoundingBoxes then removes with its mask and label."""
    masks = masks.as_subclass(torch.Tensor).bool()
    tight = torch.zeros((len(masks), 4), dtype=torch.float32)
    present = masks.flatten(1).any(1)
    if present.any():
        tight[present] = masks_to_boxes(masks[present]) + torch.tensor([0.0, 0.0, 1.0, 1.0])
    return tv_tensors.wrap(tight, like=boxes)


def plain(frame: np.ndarray, target: FrameTarget, with_masks: bool) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The frame and its labels as tensors, unchanged (validation)."""
    image = torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1).float() / 255.0
    out = {"boxes": torch.from_numpy(target.boxes).float(), "labels": torch.from_numpy(target.labels)}
    if with_masks:
        out["masks"] = torch.from_numpy(target.mask_array())
    return image, out
