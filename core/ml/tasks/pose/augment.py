"""Augmentation of pose samples: exact affine geometry that carries keypoints, and photometric
changes from `torchvision.transforms.v2`.

Geometry (rotation, scale, translation, horizontal and vertical flips, and the crop or resize
itself) is one 2x3 matrix per sample: the image is warped with it once (cv2.warpAffine, straight
from the full frame to the crop, one interpolation) and the keypoints are moved by the same
matrix as `tv_tensors.KeyPoints`. We do not use `v2.RandomAffine`/`v2.RandomHorizontalFlip` for
this: in torchvision 0.29 their image and keypoint kernels disagree by up to a pixel (the image
is rotated about ((W-1)/2, (H-1)/2), keypoints about (W/2, H/2); flips use W-1-x), which is as
large as the sub-pixel accuracy a pose model aims for. A mirror image (one flip, not both)
swaps symmetric nodes through the skeleton's flip permutation, labels and visibility alike.

Photometric changes (brightness, contrast, gamma, blur, noise) are a `v2.Compose` that leaves
the keypoints untouched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as TF

from core.ml.tasks.pose.config import AugmentOptions


@dataclass(frozen=True)
class Geometry:
    """Resolved geometric ranges for one kind of sample (crop or whole frame)."""

    rotation: float = 0.0
    scale: float = 0.0
    translate: float = 0.0
    hflip: float = 0.0
    vflip: float = 0.0


def geometry_for(options: AugmentOptions, crops: bool, has_symmetries: bool) -> Geometry:
    return Geometry(
        rotation=options.rotation if options.rotation is not None else (180.0 if crops else 15.0),
        scale=options.scale,
        translate=options.translate if options.translate is not None else (4.0 if crops else 16.0),
        hflip=options.hflip if options.hflip is not None else (0.5 if has_symmetries else 0.0),
        vflip=options.vflip,
    )


def affine_matrix(centre: tuple[float, float], out_centre: tuple[float, float], scale: float = 1.0,
                  angle: float = 0.0, hflip: bool = False, vflip: bool = False,
                  translate: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:  # fmt: skip
    """2x3 matrix mapping source pixel (x, y) to output pixel u = A (x - centre) + out_centre +
    translate, with A = scale * rotation(angle degrees) * mirror; pixel centres at integers."""
    radians = math.radians(angle)
    a = scale * np.array([[math.cos(radians), -math.sin(radians)], [math.sin(radians), math.cos(radians)]])
    a = a @ np.diag([-1.0 if hflip else 1.0, -1.0 if vflip else 1.0])
    offset = np.asarray(out_centre) + np.asarray(translate) - a @ np.asarray(centre)
    return np.hstack([a, offset[:, None]]).astype(np.float64)


def random_matrix(geometry: Geometry, centre: tuple[float, float], out_centre: tuple[float, float],
                  base_scale: float = 1.0) -> tuple[np.ndarray, bool]:  # fmt: skip
    """A random augmentation matrix and whether it mirrors (so symmetric nodes must swap)."""
    r = torch.rand(6).tolist()
    angle = (2 * r[0] - 1) * geometry.rotation
    scale = base_scale * (1 + (2 * r[1] - 1) * geometry.scale)
    translate = ((2 * r[2] - 1) * geometry.translate, (2 * r[3] - 1) * geometry.translate)
    hflip, vflip = r[4] < geometry.hflip, r[5] < geometry.vflip
    return affine_matrix(centre, out_centre, scale, angle, hflip, vflip, translate), hflip != vflip


def warp(frame: np.ndarray, keypoints: np.ndarray, matrix: np.ndarray, size: tuple[int, int],
         mirrored: bool = False, permutation: list[int] | None = None
         ) -> tuple[tv_tensors.Image, tv_tensors.KeyPoints, torch.Tensor]:  # fmt: skip
    """Warp an RGB uint8 frame (H, W, 3) to `size` (width, height) and move keypoints
    (..., n_nodes, 3) with it; on a mirror, nodes are reordered by `permutation`.
    Returns the image (3, h, w) uint8, the keypoints (..., n_nodes, 2) and visibility (..., n_nodes)."""
    width, height = size
    image = cv2.warpAffine(frame, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    points = keypoints[..., :2] @ matrix[:, :2].T + matrix[:, 2]
    visibility = keypoints[..., 2]
    if mirrored and permutation is not None:
        points, visibility = points[..., permutation, :], visibility[..., permutation]
    return (
        tv_tensors.Image(torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)),
        tv_tensors.KeyPoints(torch.as_tensor(points, dtype=torch.float32), canvas_size=(height, width)),
        torch.as_tensor(np.ascontiguousarray(visibility), dtype=torch.float32),
    )


class RandomGamma(v2.Transform):
    """Gamma correction with an exponent drawn from [1 - strength, 1 + strength]."""

    def __init__(self, strength: float) -> None:
        super().__init__()
        self.strength = strength

    def make_params(self, flat_inputs: list) -> dict:
        return {"gamma": 1 + (2 * float(torch.rand(())) - 1) * self.strength}

    def transform(self, inpt, params: dict):
        if isinstance(inpt, tv_tensors.Image):
            return TF.adjust_gamma(inpt, params["gamma"])
        return inpt


def photometric(options: AugmentOptions) -> v2.Transform:
    """uint8 image -> float in [0, 1] with random brightness, contrast, gamma, blur and noise."""
    steps: list[v2.Transform] = [v2.ToDtype(torch.float32, scale=True)]
    if options.brightness or options.contrast:
        steps.append(v2.ColorJitter(brightness=options.brightness or None, contrast=options.contrast or None))
    if options.gamma:
        steps.append(RandomGamma(options.gamma))
    if options.blur:
        steps.append(v2.RandomApply([v2.GaussianBlur(5, sigma=(0.3, 1.5))], p=options.blur))
    if options.noise:
        steps.append(v2.GaussianNoise(sigma=options.noise))
    if options.erase:
        steps.append(v2.RandomErasing(p=options.erase, scale=(0.02, 0.1), value=0.0))
    return v2.Compose(steps)


def plain(image: tv_tensors.Image) -> torch.Tensor:
    """uint8 image -> float in [0, 1], no augmentation (validation and inference)."""
    return image.as_subclass(torch.Tensor).float() / 255.0


def resized(frame: np.ndarray, scale: float) -> tuple[np.ndarray, tuple[float, float]]:
    """The frame scaled by about `scale` (area interpolation: no aliasing), and the exact
    (fx, fy) of the rounded size; frame pixel x maps to (x + 0.5) * fx - 0.5."""
    if abs(scale - 1.0) < 1e-6:
        return frame, (1.0, 1.0)
    height, width = frame.shape[:2]
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(frame, (new_w, new_h), interpolation=interpolation), (new_w / width, new_h / height)


def to_scaled(points: np.ndarray, factors: tuple[float, float]) -> np.ndarray:
    """Frame coordinates (..., 2+) -> coordinates of the frame resized by `factors`."""
    out = np.array(points, dtype=np.float64, copy=True)
    out[..., 0] = (out[..., 0] + 0.5) * factors[0] - 0.5
    out[..., 1] = (out[..., 1] + 0.5) * factors[1] - 0.5
    return out


def from_scaled(points: np.ndarray, factors: tuple[float, float]) -> np.ndarray:
    out = np.array(points, dtype=np.float64, copy=True)
    out[..., 0] = (out[..., 0] + 0.5) / factors[0] - 0.5
    out[..., 1] = (out[..., 1] + 0.5) / factors[1] - 0.5
    return out
