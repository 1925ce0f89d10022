"""The pose task: heatmap keypoint models, single-animal or top-down, on pretrained backbones.

    adapter = build_adapter(project, {"backbone": "efficientnet_lite0", "mode": "auto"})
    Trainer(adapter, TrainConfig(minutes=10), folder, emit).fit()
    predictor = load_predictor(load_checkpoint(folder / "best.pt", "pose"), torch.device("cpu"))
    instances_per_frame = predictor.predict([rgb_frame, ...])

Options (all optional): backbone, pretrained, mode ("auto" | "single" | "topdown"), batch_size,
val_fraction, skeleton_id, loss ("mse" | "focal"), output_stride (2 | 4), sigma, centroid_sigma, node_threshold,
centroid_threshold, max_instances, min_separation, samples_per_epoch, input_scale, crop_size, crop_scale,
centroid_scale, anchor_node, decoder_channels, decoder_top ("c3" | "c4" | "c5"), backbone_lr,
freeze_early, and augment (or "augmentation"): a dict of rotation, scale, translate, hflip, vflip,
brightness, contrast, gamma, blur, noise, erase (see `config.AugmentOptions`). Scales left out are
picked from the animals' size and the device (`config.fit_scaling`); the anchor node from the labels.
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use (PEP 562): the registry imports `core.ml.tasks.pose.task`, and with it
# this package, to list the tasks; that must not import torch.
_LAZY = {"PoseAdapter": "core.ml.tasks.pose.adapter", "PoseConfig": "core.ml.tasks.pose.config",
         "PosePredictor": "core.ml.tasks.pose.predictor", "TrainingDataError": "core.ml.tasks.errors"}  # fmt: skip

__all__ = ["PoseAdapter", "PoseConfig", "PosePredictor", "TrainingDataError", "build_adapter", "load_predictor"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_adapter(project, options: dict[str, Any] | None = None):
    """The pose task on `project`'s user keypoint labels; raises `TrainingDataError` when they
    cannot train it and `ValueError` for an unknown option. Decodes the labelled frames once."""
    from core.ml.tasks.pose.adapter import PoseAdapter

    return PoseAdapter(project, options)


def load_predictor(checkpoint_payload: dict[str, Any], device="cpu"):
    """A predictor from a checkpoint payload (`load_checkpoint(path, "pose")`): the model is
    rebuilt from the payload's `adapter` state with random weights (no download) and loaded.
    Raises `CheckpointError` for another task's model or one this version cannot rebuild."""
    import torch

    from core.ml.checkpoint import CheckpointError
    from core.ml.tasks.pose.adapter import build_model_from_state
    from core.ml.tasks.pose.config import PoseConfig
    from core.ml.tasks.pose.predictor import PosePredictor

    if checkpoint_payload.get("task") != "pose":
        raise CheckpointError(f"this is a {checkpoint_payload.get('task')} model, not a pose model")
    device = torch.device(device)
    try:
        state = checkpoint_payload["adapter"]
        model = build_model_from_state(state, pretrained=False)
        model.load_state_dict(checkpoint_payload["model"])
    except (KeyError, TypeError, RuntimeError) as error:
        raise CheckpointError(f"this pose checkpoint cannot be rebuilt by this version ({error})") from None
    model.to(device).eval()
    return PosePredictor(model, PoseConfig.from_dict(state["config"]), state["skeleton"], device)
