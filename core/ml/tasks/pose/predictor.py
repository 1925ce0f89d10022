"""Pose inference: frames in, scored instances out, for single-animal and top-down models.

Single mode reads every node's highest peak on the (downscaled) whole frame. Top-down mode
first finds each animal as a peak of the centroid heatmap on the downscaled frame, then cuts a
crop centred on it (at the crop scale, never rotated) and reads the nodes there, as SLEAP's
centroid + centered-instance pipeline does. Peaks are refined to sub-pixel precision
(`heatmaps.refine_at`) and mapped back to full-resolution frame pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import torch

from core.domain import Box, Instance
from core.ml.tasks.pose.augment import affine_matrix, from_scaled, plain, resized, to_scaled
from core.ml.tasks.pose.config import PoseConfig
from core.ml.tasks.pose.heatmaps import global_peaks, local_peaks
from core.ml.tasks.pose.model import PoseModel

CROP_BATCH = 16


def frames_per_pass(device: torch.device) -> int:
    """Frames through the networks at once: one on a CPU (measured on one core, larger batches
    only add memory traffic), sixteen on a GPU."""
    return 1 if torch.device(device).type == "cpu" else 16


@dataclass(frozen=True, eq=False)
class FramePoses:
    """Raw predictions on one frame: `keypoints` (n, n_nodes, 3) x, y, visibility 2 (every
    node is placed, however low its peak); `node_scores` (n, n_nodes), each node's peak in
    [0, 1]; `scores` (n,), the mean node score. The model's node threshold
    (`core.ml.metrics.node_threshold`) decides later which nodes count."""

    keypoints: np.ndarray
    node_scores: np.ndarray
    scores: np.ndarray

    def as_dicts(self) -> list[dict[str, Any]]:
        """JSON-able instances (events, previews)."""
        return [
            {"keypoints": k.round(2).tolist(), "keypoint_scores": s.round(3).tolist(), "score": round(float(score), 3),
             "box": _box(k)}
            for k, s, score in zip(self.keypoints, self.node_scores, self.scores)
        ]  # fmt: skip


def _box(keypoints: np.ndarray) -> list[float] | None:
    found = keypoints[keypoints[:, 2] > 0, :2]
    if len(found) == 0:
        return None
    return [float(v) for v in (*found.min(0), *found.max(0))]


def _pad_batch(images: list[torch.Tensor], multiple: int = 32) -> torch.Tensor:
    """Stack (3, h, w) images, zero-padded at the bottom and right to a common multiple of 32."""
    height = max(i.shape[1] for i in images)
    width = max(i.shape[2] for i in images)
    height, width = -(-height // multiple) * multiple, -(-width // multiple) * multiple
    batch = torch.zeros(len(images), 3, height, width)
    for n, image in enumerate(images):
        batch[n, :, : image.shape[1], : image.shape[2]] = image
    return batch


def _image(frame: np.ndarray) -> torch.Tensor:
    return plain(torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1))


class PosePredictor:
    """Predicts poses on RGB uint8 frames (H, W, 3) with a trained `PoseModel`.

    `predict` returns, per frame, a list of `core.domain.Instance` with placeholder
    `video_id=0` and `frame_index=0` (the caller sets the real ones with `with_changes`),
    `source="predicted"`, the training skeleton's id, keypoints (n_nodes, 3) with visibility 2
    on every node, `keypoint_scores` (n_nodes,), `score` (the mean node peak, in [0, 1]) and
    `box` around the nodes. No node is hidden and no instance dropped for low peaks: an instance
    exists because its animal was found (single mode: one per frame; top-down: one per anchor),
    and the node threshold is applied where predictions are reviewed, exported and scored."""

    def __init__(self, model: PoseModel, config: PoseConfig, skeleton: dict[str, Any], device: torch.device) -> None:
        self.model, self.config, self.skeleton, self.device = model, config, skeleton, device
        self.n_nodes = len(skeleton["nodes"])
        self.frames_per_pass = frames_per_pass(device)

    @torch.inference_mode()
    def predict(self, frames: list[np.ndarray]) -> list[list[Instance]]:
        return [
            [self._instance(k, s, score) for k, s, score in zip(poses.keypoints, poses.node_scores, poses.scores)]
            for poses in self.predict_arrays(frames)
        ]

    def _instance(self, keypoints: np.ndarray, node_scores: np.ndarray, score: float) -> Instance:
        box = _box(keypoints)
        return Instance(
            0, 0, class_id=self.skeleton.get("class_id"), skeleton_id=self.skeleton.get("id"),
            box=Box(*box) if box else None, keypoints=keypoints, keypoint_scores=node_scores.astype(np.float32),
            source="predicted", score=float(score),
        )  # fmt: skip

    @torch.inference_mode()
    def predict_arrays(self, frames: list[np.ndarray]) -> list[FramePoses]:
        was_training = self.model.training
        self.model.eval()
        try:
            run = self._single if self.config.mode == "single" else self._topdown
            step = self.frames_per_pass
            return [poses for start in range(0, len(frames), step) for poses in run(frames[start : start + step])]
        finally:
            self.model.train(was_training)

    def _nodes(self, images: list[torch.Tensor]) -> tuple[np.ndarray, np.ndarray]:
        """Node peaks (n, n_nodes, 2) in input pixels and their values (n, n_nodes)."""
        points, values = [], []
        for start in range(0, len(images), CROP_BATCH):
            batch = _pad_batch(images[start : start + CROP_BATCH]).to(self.device)
            heatmaps, _ = self.model(batch, None)
            heatmaps = PoseModel.probabilities(self.model.instance, heatmaps.float())
            p, v = global_peaks(heatmaps.cpu(), self.model.instance.output_stride)
            points.append(p.numpy())
            values.append(v.numpy())
        if not points:
            return np.zeros((0, self.n_nodes, 2)), np.zeros((0, self.n_nodes))
        return np.concatenate(points), np.concatenate(values)

    def _poses(self, points: np.ndarray, values: np.ndarray) -> FramePoses:
        """Every instance with every node placed (visibility 2) and its peak as its score."""
        node_scores = np.clip(values, 0, 1).astype(np.float32).reshape(len(points), self.n_nodes)
        keypoints = np.concatenate([points, np.full(points.shape[:-1] + (1,), 2.0)], -1).astype(np.float32)
        scores = node_scores.mean(-1) if len(node_scores) else np.zeros(0, np.float32)
        return FramePoses(keypoints, node_scores, scores.astype(np.float32))

    def _single(self, frames: list[np.ndarray]) -> list[FramePoses]:
        scaled = [resized(frame, self.config.input_scale) for frame in frames]
        points, values = self._nodes([_image(image) for image, _ in scaled])
        out = []
        for n, (_, factors) in enumerate(scaled):
            out.append(self._poses(from_scaled(points[n : n + 1], factors), values[n : n + 1]))
        return out

    @torch.inference_mode()
    def anchors(self, frames: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each frame's animal anchors (n, 2) in frame pixels and their peak values (n,)."""
        config = self.config
        scaled = [resized(frame, config.centroid_scale) for frame in frames]
        maps = []
        for start in range(0, len(scaled), CROP_BATCH):
            batch = _pad_batch([_image(image) for image, _ in scaled[start : start + CROP_BATCH]])
            _, heatmaps = self.model(None, batch.to(self.device))
            maps.extend(PoseModel.probabilities(self.model.centroid, heatmaps.float()).cpu()[:, 0])
        separation = config.min_separation * (config.animal_px or 0.0)
        out = []
        for heatmap, (_, factors) in zip(maps, scaled):
            points, values = local_peaks(heatmap, self.model.centroid.output_stride, config.centroid_threshold)
            points, values = from_scaled(points.numpy(), factors), values.numpy()
            keep: list[int] = []
            for i in range(len(points)):  # strongest first: drop weaker peaks on the same animal
                if all(np.linalg.norm(points[i] - points[j]) >= separation for j in keep):
                    keep.append(i)
            keep = keep[: config.max_instances] if config.max_instances else keep
            out.append((points[keep].reshape(-1, 2), values[keep]))
        return out

    def crop(self, frame_scaled: np.ndarray, anchor_scaled: np.ndarray) -> tuple[torch.Tensor, np.ndarray]:
        """The crop (3, S, S) centred on an anchor (in the crop-scaled frame) and its matrix."""
        size = self.config.crop_size
        matrix = affine_matrix(tuple(anchor_scaled), ((size - 1) / 2, (size - 1) / 2))
        image = cv2.warpAffine(frame_scaled, matrix, (size, size), flags=cv2.INTER_LINEAR)
        return _image(image), matrix

    def _topdown(self, frames: list[np.ndarray]) -> list[FramePoses]:
        anchors = self.anchors(frames)
        crops, owners, matrices, factors_of = [], [], [], []
        for n, (frame, (points, _)) in enumerate(zip(frames, anchors)):
            scaled, factors = resized(frame, self.config.crop_scale)
            factors_of.append(factors)
            for anchor in to_scaled(points, factors):
                image, matrix = self.crop(scaled, anchor)
                crops.append(image)
                owners.append(n)
                matrices.append(matrix)
        points, values = self._nodes(crops)
        out = []
        for n in range(len(frames)):
            mine = [i for i, owner in enumerate(owners) if owner == n]
            frame_points = np.stack([points[i] - matrices[i][:, 2] for i in mine]) if mine else np.zeros((0, self.n_nodes, 2))
            frame_points = from_scaled(frame_points, factors_of[n])
            out.append(self._poses(frame_points, values[mine] if mine else np.zeros((0, self.n_nodes))))
        return out
