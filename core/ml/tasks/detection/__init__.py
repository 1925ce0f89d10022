"""Detection (boxes) and instance segmentation (masks): Faster R-CNN and Mask R-CNN from
torchvision with a feature pyramid on Ethoframe's pretrained backbones.

Training (through `core.ml.trainer.Trainer`):

    adapter = build_adapter(project, {"batch_size": 2}, task="detect")   # or "segment"
    Trainer(adapter, TrainConfig(minutes=10), folder, emit).fit()

`build_adapter` reads the project's user labels: boxes (or masks, whose box is taken) for
"detect"; masks or polygons for "segment". Each project label class used becomes a model
class; instances without a class become one class "animal" (class id None). The input scale
and anchor sizes follow from the labelled animals' sizes (`scaling.py`) and are stored in
the checkpoint. It raises `core.ml.tasks.errors.TrainingDataError` when the labels cannot
train the task (none, fewer than 2 frames, or only keypoints), and `ValueError` for unknown
options. Options and defaults: `config.DetectionConfig` (augmentation: `config.DetectionAugment`).

The adapter's `evaluate` returns val_box_map, val_box_map50, val_box_map75 (COCO, on the
held-out labelled frames) and, for "segment", val_mask_map, val_mask_map50, val_mask_map75;
the best checkpoint is the one with the highest val_box_map ("detect") or val_mask_map
("segment"), COCO's mAP@[.5:.95]: mAP@0.5 saturates at 1.0 on a few validation frames long
before the boxes are tight, and would freeze "best" at that early epoch.

Inference:

    predictor = load_predictor(load_checkpoint(path), device)
    predictor.predict([rgb_frame, ...]) -> [[{"box": (x1, y1, x2, y2), "score": 0.97,
                                              "class_id": 3 | None, "mask": Rle}, ...], ...]

one list per frame, best first; "mask" (a `core.domain.Rle` of the frame's size) only for
segment models; detections scoring under `predictor.score_threshold` (default 0.5) are
dropped, `predict(frames, score_threshold=0.0)` keeps them all.
"""

from __future__ import annotations

import importlib
from typing import Any

TASKS = ("detect", "segment")
# Imported on first use (PEP 562): listing the tasks (the registry) must not import torch.
_LAZY = {"DetectionConfig": "core.ml.tasks.detection.config", "DetectionAdapter": "core.ml.tasks.detection.adapter",
         "DetectionPredictor": "core.ml.tasks.detection.predictor", "load_predictor": "core.ml.tasks.detection.predictor",
         "TrainingDataError": "core.ml.tasks.errors"}  # fmt: skip

__all__ = ["TASKS", "DetectionAdapter", "DetectionConfig", "DetectionPredictor", "TrainingDataError", "build_adapter",
           "load_predictor"]  # fmt: skip


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_adapter(project, options: dict[str, Any] | None = None, task: str = "detect"):
    """The trainer's adapter for `task` ("detect" or "segment") on `project`'s labels."""
    from core.ml.tasks.detection.adapter import DetectionAdapter

    if task not in TASKS:
        raise ValueError(f"the detection module trains {' or '.join(TASKS)}, not {task!r}")
    return DetectionAdapter(project, options or {}, task)
