"""The pose task as the shared trainer sees it (`core.ml.tasks.base.TaskAdapter`).

One training step feeds both networks of a top-down model: a batch of augmented crops to the
instance network and a few augmented whole frames to the centroid network; the loss is the sum
of their heatmap losses. Validation runs the real inference pipeline on the held-out frames
and scores it with `core.ml.metrics.keypoints`, so the numbers the GUI plots are the numbers a
user gets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import torch
from torch import nn

from core.domain.node_threshold import apply_node_threshold
from core.ml.data.frame_store import FrameStore
from core.ml.metrics.keypoints import FrameKeypoints, keypoint_metrics
from core.ml.metrics.node_threshold import choose_node_threshold, share_placed
from core.ml.tasks.base import parameter_groups
from core.ml.tasks.pose.config import PoseConfig, fit_scaling
from core.ml.tasks.pose.data import PoseLabels, load_pose_labels
from core.ml.tasks.pose.heatmaps import quality_focal, weighted_mse
from core.ml.tasks.pose.model import PoseModel
from core.ml.tasks.pose.predictor import PosePredictor
from core.ml.tasks.pose.samples import SampleMaker, collate
from core.ml.tasks.pose.symmetry import infer_symmetries
from core.ml.tasks.pose.verdict import Verdict, pose_verdict
from core.project import Project

Batch = dict[str, dict[str, torch.Tensor]]


def skeleton_state(labels: PoseLabels) -> dict[str, Any]:
    skeleton = labels.skeleton
    return {"id": skeleton.id, "name": skeleton.name, "nodes": list(skeleton.nodes),
            "edges": [list(e) for e in skeleton.edges], "symmetries": [list(s) for s in skeleton.symmetries],
            "class_id": labels.class_id}  # fmt: skip


def build_model_from_state(state: dict[str, Any], pretrained: bool) -> PoseModel:
    config = PoseConfig.from_dict(state["config"])
    return PoseModel(config.backbone, len(state["skeleton"]["nodes"]), config.mode == "topdown", config.output_stride,
                     config.decoder_channels, pretrained=pretrained and config.pretrained,
                     freeze_early=config.freeze_early, logits=config.loss == "focal", top=config.decoder_top)  # fmt: skip


def label_warnings(labels: PoseLabels, videos: dict[int, tuple[str, int]] | None = None) -> list[str]:
    """What the user should know before training: nodes that no label places (the model
    cannot learn them: they come out with low scores), a validation set too small to judge, and
    labels bunched in one stretch of a video (`videos`: id -> (name, frame count)), where the
    model learns and is scored on that stretch only: on SLEAP's fly clip, frames 0-495 scored
    PCK@10 0.99 on validation and 0.51 on frames 1000-1495."""
    counts = sum(((f.keypoints[..., 2] > 0).sum(0) for f in labels.frames), np.zeros(len(labels.skeleton.nodes), int))
    warnings = []
    never = [name for name, count in zip(labels.skeleton.nodes, counts) if count == 0]
    if never:
        warnings.append(f"node(s) {', '.join(never)} are never labelled: the model cannot learn them (their "
                        "predictions will score low); label them on a few frames, or remove them from the skeleton")
    if len(labels.val) < 3:
        warnings.append(f"only {len(labels.val)} validation frame(s): the scores shown will be rough; label more frames")
    for video_id, (name, frame_count) in (videos or {}).items():
        indices = [f.key[1] for f in labels.frames if f.key[0] == video_id]
        if len(indices) >= 5 and frame_count > 0 and max(indices) - min(indices) < 0.5 * frame_count:
            warnings.append(f"the labelled frames of {name} lie in frames {min(indices)}-{max(indices)} of {frame_count}: "
                            "the model learns, and is scored on, that stretch only; label a few frames spread over the "
                            "rest of the video too")  # fmt: skip
    return warnings


class PoseAdapter:
    task = "pose"
    # The best checkpoint is the one with the best OKS mAP on the validation frames: it counts
    # missed animals and unplaced nodes, where a median pixel error over the nodes found would
    # pick a model that places 2 of 13 nodes well.
    monitor = "val_oks_map"
    monitor_mode = "max"

    def __init__(self, project: Project, options: dict[str, Any] | None = None, progress=None) -> None:
        self.config = config = PoseConfig.from_options(options)
        self.labels = labels = load_pose_labels(project, config.skeleton_id, config.val_fraction)
        store = FrameStore(project, project.folder / "models" / ".frame_cache")
        store.load([f.key for f in labels.frames], progress)
        frames = {f.key: store[f.key] for f in labels.frames}
        largest = max(frame.shape[1] for frame in frames.values()), max(frame.shape[0] for frame in frames.values())
        fit_scaling(config, [f.keypoints for f in labels.frames], largest)
        skeleton = labels.skeleton
        self.notes: list[str] = []
        if not skeleton.symmetries and (pairs := infer_symmetries(skeleton.nodes)):
            skeleton = replace(skeleton, symmetries=pairs)
            named = ", ".join(f"{skeleton.nodes[a]}/{skeleton.nodes[b]}" for a, b in pairs)
            self.notes.append(f"mirror augmentation with the left/right pairs the node names give: {named} "
                              "(set the skeleton's symmetries to change them)")  # fmt: skip
        permutation = skeleton.flip_permutation()
        symmetric = bool(skeleton.symmetries)
        self.train_samples = SampleMaker(config, frames, labels.train, permutation, symmetric)
        self.val_samples = SampleMaker(config, frames, labels.val, permutation, symmetric)
        self.val_frames = [frames[f.key] for f in labels.val]
        labelled_videos = {f.key[0] for f in labels.frames}
        videos = {v.id: (v.display_name, v.frame_count) for v in project.videos.all() if v.id in labelled_videos}
        self.warnings = label_warnings(labels, videos)

    @property
    def topdown(self) -> bool:
        return self.config.mode == "topdown"

    def state(self) -> dict[str, Any]:
        return {"config": self.config.to_dict(), "skeleton": skeleton_state(self.labels),
                "train_frames": len(self.labels.train), "val_frames": len(self.labels.val)}  # fmt: skip

    def build_model(self) -> nn.Module:
        model = build_model_from_state(self.state(), pretrained=True)
        if model.note:  # the backbone fell back to the offline one: record the one really built
            self.notes.append(model.note)
            self.config.backbone = model.instance.backbone.name
        return model

    def parameter_groups(self, model: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
        return parameter_groups(model, weight_decay, {"backbone.": self.config.backbone_lr})

    def verdict(self, metrics: dict[str, float]) -> Verdict:
        return pose_verdict(metrics, len(self.labels.val))

    # --- training --------------------------------------------------------------------------

    def _collate(self, instance: list, centroid: list) -> Batch:
        config, n_nodes = self.config, len(self.labels.skeleton.nodes)
        batch = {"instance": collate(instance, n_nodes, config.output_stride, config.sigma, merge=False)}
        if centroid:
            batch["centroid"] = collate(centroid, 1, config.output_stride, config.centroid_sigma, merge=True)
        return batch

    def train_batches(self, epoch: int, rank: int = 0, world_size: int = 1) -> Iterator[Batch]:
        config, samples = self.config, self.train_samples
        generator = torch.Generator().manual_seed(1009 * epoch + 17)  # the same order on every rank
        units = len(samples.instances) if self.topdown else len(samples.labels)
        repeats = max(1, -(-config.samples_per_epoch // max(units, 1)))
        order = torch.cat([torch.randperm(units, generator=generator) for _ in range(repeats)]).tolist()
        size = config.batch_size
        n_batches = max(1, len(order) // size)
        frames_per_batch = max(1, size // 4)
        for b in range(rank, n_batches, world_size):
            chosen = order[b * size : (b + 1) * size]
            if self.topdown:
                crops = [samples.crop(i, augment=True) for i in chosen]
                picks = torch.randint(len(samples.labels), (frames_per_batch,), generator=generator).tolist()
                yield self._collate(crops, [samples.whole(n, augment=True) for n in picks])
            else:
                yield self._collate([samples.whole(n, augment=True) for n in chosen], [])

    def to_device(self, batch: Batch, device: torch.device) -> Batch:
        return {part: {k: v.to(device, non_blocking=True) for k, v in tensors.items()} for part, tensors in batch.items()}

    def batch_size_of(self, batch: Batch) -> int:
        return int(batch["instance"]["images"].shape[0])

    def losses(self, model: nn.Module, batch: Batch) -> dict[str, torch.Tensor]:
        centroid = batch.get("centroid")
        instance_maps, centroid_maps = model(batch["instance"]["images"], centroid["images"] if centroid else None)
        loss = quality_focal if self.config.loss == "focal" else weighted_mse
        parts = {"instance": loss(instance_maps.float(), batch["instance"]["targets"], batch["instance"]["weights"])}
        if centroid is not None:
            parts["centroid"] = loss(centroid_maps.float(), centroid["targets"], centroid["weights"])
        parts["loss"] = sum(parts.values())
        return parts

    # --- validation ------------------------------------------------------------------------

    def _val_loss(self, model: nn.Module, device: torch.device) -> float:
        samples, total, count = self.val_samples, 0.0, 0
        units = range(len(samples.instances)) if self.topdown else range(len(samples.labels))
        chunk = list(units)
        for start in range(0, len(chunk), self.config.batch_size):
            part = chunk[start : start + self.config.batch_size]
            if self.topdown:
                frames = sorted({samples.instances[i][0] for i in part})
                batch = self._collate([samples.crop(i, False) for i in part], [samples.whole(n, False) for n in frames])
            else:
                batch = self._collate([samples.whole(n, False) for n in part], [])
            total += float(self.losses(model, self.to_device(batch, device))["loss"]) * len(part)
            count += len(part)
        return total / max(count, 1)

    def predictor(self, model: nn.Module, device: torch.device) -> PosePredictor:
        return PosePredictor(model, self.config, skeleton_state(self.labels), device)

    def evaluate(self, model: nn.Module, device: torch.device) -> dict[str, float]:
        """The validation loss, and the keypoint metrics of the real pipeline with the node
        threshold chosen on these frames applied (`val_node_threshold`; the config's
        `node_threshold` when no validation node is labelled). `val_nodes_placed` is the share
        of predicted nodes at or above it; PCK stays over all labelled true nodes."""
        metrics = {"val_loss": self._val_loss(model, device)}
        predictions = self.predictor(model, device).predict_arrays(self.val_frames)
        frames = [
            FrameKeypoints(label.keypoints, poses.keypoints, poses.scores, label.areas)
            for label, poses in zip(self.labels.val, predictions)
        ]
        node_scores = [poses.node_scores for poses in predictions]
        choice = choose_node_threshold(frames, node_scores)
        threshold = choice.threshold if choice is not None else self.config.node_threshold
        shown = [
            FrameKeypoints(f.truth, apply_node_threshold(f.predicted, s, threshold), f.scores, f.areas)
            for f, s in zip(frames, node_scores)
        ]
        metrics.update({f"val_{name}": value for name, value in keypoint_metrics(shown).items()})
        metrics["val_node_threshold"] = float(threshold)
        metrics["val_nodes_placed"] = share_placed(node_scores, threshold)
        return metrics

    def preview(self, model: nn.Module, device: torch.device, n: int = 4) -> list[dict[str, Any]]:
        chosen = self.labels.val[:n]
        predictions = self.predictor(model, device).predict_arrays([self.val_frames[i] for i in range(len(chosen))])
        return [
            {"video_id": label.key[0], "frame_index": label.key[1], "instances": poses.as_dicts()}
            for label, poses in zip(chosen, predictions)
        ]

