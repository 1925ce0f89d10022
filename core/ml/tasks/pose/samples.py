"""Training and validation samples for the pose networks, built from decoded frames and labels.

A *crop sample* (top-down) is a square crop centred on one labelled animal's anchor, at the
crop scale, randomly rotated, scaled, shifted and mirrored, with that animal's nodes as targets
(other animals in the crop are background: the model learns to read the centred one). A *frame
sample* is the whole frame at the centroid scale (targets: every animal's anchor) or, in single
mode, at the input scale (targets: the animal's nodes). Frames are resized once, here, with
area interpolation; augmentation then warps them with one matrix (see `augment.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.ml.tasks.pose.augment import (
    Geometry,
    affine_matrix,
    geometry_for,
    photometric,
    plain,
    random_matrix,
    resized,  # fmt: skip
    to_scaled,
    warp,
)
from core.ml.tasks.pose.config import PoseConfig, anchor_of
from core.ml.tasks.pose.data import FrameKey, PoseFrame
from core.ml.tasks.pose.heatmaps import render_targets


@dataclass(frozen=True, eq=False)
class Sample:
    """An image (3, h, w) float in [0, 1], target points (n_maps_or_points, 2) in its pixels and
    their weights (1: supervised, 0: unlabelled)."""

    image: torch.Tensor
    points: torch.Tensor
    weights: torch.Tensor


class SampleMaker:
    def __init__(self, config: PoseConfig, frames: dict[FrameKey, np.ndarray], labels: list[PoseFrame],
                 permutation: list[int], has_symmetries: bool) -> None:  # fmt: skip
        self.config, self.labels, self.permutation = config, labels, permutation
        topdown = config.mode == "topdown"
        self.crop_geometry = geometry_for(config.augment, crops=True, has_symmetries=has_symmetries)
        self.frame_geometry = geometry_for(config.augment, crops=False, has_symmetries=has_symmetries)
        self.photometric = photometric(config.augment)
        # Each frame resized once per scale it is used at: (image, (fx, fy)).
        self.crop_frames = [resized(frames[f.key], config.crop_scale) for f in labels] if topdown else []
        whole_scale = config.centroid_scale if topdown else config.input_scale
        self.whole_frames = [resized(frames[f.key], whole_scale) for f in labels]
        self.instances = [(n, i) for n, f in enumerate(labels) for i in range(len(f.keypoints))
                          if (f.keypoints[i, :, 2] > 0).any()]  # fmt: skip

    def _finish(self, image, keypoints, visibility, augment: bool) -> Sample:
        pixels = self.photometric(image).clamp(0, 1) if augment else plain(image)
        points = keypoints.as_subclass(torch.Tensor).reshape(-1, 2)
        return Sample(pixels.as_subclass(torch.Tensor), points, (visibility.reshape(-1) > 0).float())

    def crop(self, index: int, augment: bool) -> Sample:
        """Crop sample of the `index`-th labelled instance."""
        n, i = self.instances[index]
        frame, factors = self.crop_frames[n]
        keypoints = to_scaled(self.labels[n].keypoints[i], factors)
        centre = tuple(to_scaled(anchor_of(self.labels[n].keypoints[i], self.config.anchor_node), factors))
        size = self.config.crop_size
        out_centre = ((size - 1) / 2, (size - 1) / 2)
        if augment:
            matrix, mirrored = random_matrix(self.crop_geometry, centre, out_centre)
        else:
            matrix, mirrored = affine_matrix(centre, out_centre), False
        image, points, visibility = warp(frame, keypoints, matrix, (size, size), mirrored, self.permutation)
        return self._finish(image, points, visibility, augment)

    def whole(self, n: int, augment: bool) -> Sample:
        """Frame sample of the `n`-th labelled frame (anchors in top-down mode, nodes in single)."""
        frame, factors = self.whole_frames[n]
        keypoints = self.labels[n].keypoints
        if self.config.mode == "topdown":
            anchors = np.stack([anchor_of(k, self.config.anchor_node) for k in keypoints])
            keypoints = np.concatenate([anchors, np.where(np.isnan(anchors[:, :1]), 0.0, 2.0)], 1)[:, None, :]
            keypoints = np.nan_to_num(keypoints)
            permutation = None
        else:
            keypoints, permutation = keypoints[:1], self.permutation
        keypoints = to_scaled(keypoints, factors)
        height, width = frame.shape[:2]
        centre = ((width - 1) / 2, (height - 1) / 2)
        geometry: Geometry = self.frame_geometry
        if augment:
            matrix, mirrored = random_matrix(geometry, centre, centre)
        else:
            matrix, mirrored = affine_matrix(centre, centre), False
        image, points, visibility = warp(frame, keypoints, matrix, (width, height), mirrored, permutation)
        return self._finish(image, points, visibility, augment)


def collate(samples: list[Sample], n_maps: int, stride: int, sigma: float, merge: bool) -> dict[str, torch.Tensor]:
    """Images padded to a common multiple of 32, Gaussian targets and weights per map. With
    `merge`, every point of a sample goes into its one map (centroids), else point k -> map k."""
    height = -(-max(s.image.shape[1] for s in samples) // 32) * 32
    width = -(-max(s.image.shape[2] for s in samples) // 32) * 32
    images = torch.zeros(len(samples), 3, height, width)
    for n, sample in enumerate(samples):
        images[n, :, : sample.image.shape[1], : sample.image.shape[2]] = sample.image
    shape = (height // stride, width // stride)
    if merge:
        targets = torch.stack([
            render_targets(s.points[None], s.weights[None], shape, stride, sigma)[0].amax(0, keepdim=True)
            if len(s.points) else torch.zeros(1, *shape)
            for s in samples
        ])  # fmt: skip
        weights = torch.ones(len(samples), 1)
    else:
        points = torch.stack([s.points for s in samples])
        weights = torch.stack([s.weights for s in samples])
        targets = render_targets(points, weights, shape, stride, sigma)
    return {"images": images, "targets": targets, "weights": weights}
