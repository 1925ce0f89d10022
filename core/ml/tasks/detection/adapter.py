"""The detect / segment task as the shared trainer drives it (`core.ml.tasks.base.TaskAdapter`).

Labels are read and checked when the adapter is made (a clear `TrainingDataError` before any
training starts); frames are decoded once, on the first batch, through `FrameStore`.
Validation frames are whole stretches of video kept apart by `split_frames`; they are scored
with COCO box (and mask) mAP, and mAP@[.5:.95] picks the best checkpoint.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core.ml.data.frame_store import FrameStore
from core.ml.data.split import split_frames
from core.ml.metrics.boxes import box_map, mask_map
from core.ml.tasks.detection.augment import Augment, plain
from core.ml.tasks.detection.config import DetectionConfig
from core.ml.tasks.detection.labels import FrameTarget, read_targets
from core.ml.tasks.detection.model import build_detector
from core.ml.tasks.detection.predictor import to_instances
from core.ml.tasks.detection.scaling import choose_scaling
from core.project import Project

Batch = tuple[list[torch.Tensor], list[dict[str, torch.Tensor]]]


class DetectionAdapter:
    monitor_mode = "max"

    def __init__(self, project: Project, options: dict[str, Any] | None = None, task: str = "detect") -> None:
        self.config = o = DetectionConfig.from_options(options, task)
        self.task = task
        # COCO's mAP@[.5:.95], not mAP@0.5: on a few validation frames mAP@0.5 reaches 1.0 early
        # and stays there, so the first epoch to hit it (boxes still loose) would stay "best"
        self.monitor = "val_mask_map" if task == "segment" else "val_box_map"
        self.targets, self.classes = read_targets(project, task)
        videos = {video.id: video for video in project.videos.all()}
        by_key = {t.key: t for t in self.targets}
        # at least a tenth of the frames validate: with few, widely spread labels the split's
        # blocks alone may leave one or two frames, too few to pick the best checkpoint by
        fingerprints = {i: v.fingerprint for i, v in videos.items()}
        min_val = max(1, round(0.1 * len(by_key)))
        train, val = split_frames(list(by_key), fingerprints, float(o.val_fraction), min_val=min_val)
        self.train_targets = [by_key[k] for k in train]
        self.val_targets = [by_key[k] for k in val]
        sizes = {i: (v.height, v.width) for i, v in videos.items()}
        scale = None if o.scale == "auto" else float(o.scale)
        self.scaling = choose_scaling(self.train_targets, sizes, float(o.target_size), scale=scale)
        self.frames = FrameStore(project, Path(o.cache_dir) if o.cache_dir else None)
        self.augment = Augment(o.augment, with_masks=task == "segment")
        self.notes: list[str] = []
        most = max(len(t.labels) for t in self.targets)
        self._state: dict[str, Any] = {
            "task": task, "backbone": o.backbone, "classes": self.classes.to_state(),
            **self.scaling.to_state(),
            "fpn_channels": int(o.fpn_channels), "representation": int(o.representation),
            "mask_channels": int(o.mask_channels), "detections_per_img": max(20, 4 * most),
            "score_threshold": float(o.score_threshold),
        }  # fmt: skip

    # --- the model ------------------------------------------------------------------------------

    def build_model(self) -> nn.Module:
        model, note = build_detector(self._state, pretrained=bool(self.config.pretrained), fallback=bool(self.config.fallback))
        if note:
            self.notes.append(note)
            self._state["backbone"] = model.backbone.body.name
        return model

    def state(self) -> dict[str, Any]:
        return dict(self._state)

    # --- training -------------------------------------------------------------------------------

    def _load_frames(self) -> None:
        if len(self.frames) < len(self.targets):
            self.frames.load([t.key for t in self.targets])

    def train_batches(self, epoch: int, rank: int = 0, world_size: int = 1) -> Iterator[Batch]:
        """Shuffled (the same order on every rank), repeated up to `min_epoch_frames`, and
        cut into equal shares so every DDP rank takes the same number of steps."""
        self._load_frames()
        rng = random.Random(int(self.config.seed) * 10007 + epoch)
        repeats = max(1, math.ceil(int(self.config.min_epoch_frames) / len(self.train_targets)))
        order = [t for _ in range(repeats) for t in rng.sample(self.train_targets, len(self.train_targets))]
        share = math.ceil(len(order) / world_size)
        order = (order * 2)[rank * share : (rank + 1) * share]
        size = int(self.config.batch_size)
        for start in range(0, len(order), size):
            samples = [self.augment(self.frames[t.key], t) for t in order[start : start + size]]
            yield [image for image, _ in samples], [target for _, target in samples]

    def to_device(self, batch: Batch, device: torch.device) -> Batch:
        images, targets = batch
        return [i.to(device) for i in images], [{k: v.to(device) for k, v in t.items()} for t in targets]

    def batch_size_of(self, batch: Batch) -> int:
        return len(batch[0])

    def losses(self, model: nn.Module, batch: Batch) -> dict[str, torch.Tensor]:
        parts = model(*batch)
        total = sum(parts.values())
        return {"loss": total, **{name.removeprefix("loss_"): value for name, value in parts.items()}}

    # --- validation -----------------------------------------------------------------------------

    def _predict(self, model: nn.Module, device: torch.device, targets: list[FrameTarget], threshold: float) -> list[list[dict]]:
        self._load_frames()
        found: list[list[dict]] = []
        for start in range(0, len(targets), 4):
            chunk = targets[start : start + 4]
            images = [plain(self.frames[t.key], t, False)[0].to(device) for t in chunk]
            found += [to_instances(output, self.classes, threshold) for output in model(images)]
        return found

    def evaluate(self, model: nn.Module, device: torch.device) -> dict[str, float]:
        found = self._predict(model, device, self.val_targets, 0.0)
        truth = [
            [{"box": tuple(box), "class_id": self.classes.class_id_of(int(label)), **({"mask": t.masks[i]} if t.masks else {})}
             for i, (box, label) in enumerate(zip(t.boxes.tolist(), t.labels))]
            for t in self.val_targets
        ]  # fmt: skip
        boxes = box_map(truth, found)
        metrics = {"val_box_map": boxes["map"], "val_box_map50": boxes["map50"], "val_box_map75": boxes["map75"]}
        if self.task == "segment":
            masks = mask_map(truth, found)
            metrics.update(val_mask_map=masks["map"], val_mask_map50=masks["map50"], val_mask_map75=masks["map75"])
        return metrics

    def preview(self, model: nn.Module, device: torch.device, n: int = 4) -> list[dict[str, Any]]:
        """Predictions on the first `n` validation frames; masks as COCO RLE {"size", "counts"}."""
        chosen = self.val_targets[:n]
        found = self._predict(model, device, chosen, float(self._state["score_threshold"]))
        return [
            {"video_id": t.key[0], "frame_index": t.key[1],
             "instances": [{**i, "box": list(i["box"]),
                            **({"mask": {"size": [i["mask"].height, i["mask"].width], "counts": i["mask"].counts}} if "mask" in i else {})}
                           for i in instances]}
            for t, instances in zip(chosen, found)
        ]  # fmt: skip
