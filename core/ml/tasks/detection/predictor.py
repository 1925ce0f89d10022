"""A trained detector or instance segmenter, ready to find animals on frames.

    predictor = load_predictor(load_checkpoint(path), device="cpu")
    predictor.predict([frame_rgb, ...])  # one list per frame of
        {"box": (x1, y1, x2, y2), "score": float, "class_id": int | None, "mask": Rle}  # mask: segment only

Boxes are in the frame's pixels (whatever its size: the model rescales internally), pixel
edges (x2 = last column + 1). `class_id` is the project's label-class id (None for animals
labelled without a class). Detections below `score_threshold` are dropped (0.5 unless the
model was trained with another "score_threshold" option; pass 0.0 to keep every candidate, as
mAP evaluation wants).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from core.domain import Rle
from core.ml.checkpoint import CheckpointError
from core.ml.tasks.detection.labels import ClassTable
from core.ml.tasks.detection.model import build_detector

TASKS = ("detect", "segment")


def to_instances(output: dict[str, torch.Tensor], classes: ClassTable, threshold: float) -> list[dict[str, Any]]:
    """One torchvision detector output (boxes, labels, scores[, masks]) as instance dicts."""
    keep = output["scores"] >= threshold
    boxes = output["boxes"][keep].cpu().numpy()
    scores = output["scores"][keep].cpu().numpy()
    labels = output["labels"][keep].cpu().numpy()
    masks = (output["masks"][keep][:, 0] >= 0.5).cpu().numpy() if "masks" in output else None
    found = []
    for i in range(len(boxes)):
        instance: dict[str, Any] = {
            "box": tuple(float(v) for v in boxes[i]), "score": float(scores[i]),
            "class_id": classes.class_id_of(int(labels[i])),
        }  # fmt: skip
        if masks is not None:
            instance["mask"] = Rle.from_array(masks[i])
        found.append(instance)
    return found


def frames_to_tensors(frames: list[np.ndarray], device: torch.device) -> list[torch.Tensor]:
    """RGB uint8 (H, W, 3) frames as float (3, H, W) tensors in [0, 1] on `device`."""
    tensors = []
    for frame in frames:
        frame = np.asarray(frame)
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(f"a frame must be RGB of shape (height, width, 3), not {frame.shape}")
        tensor = torch.from_numpy(np.ascontiguousarray(frame)).to(device).permute(2, 0, 1)
        tensors.append(tensor.float() / 255.0 if tensor.dtype == torch.uint8 else tensor.float())
    return tensors


class DetectionPredictor:
    """Boxes (and masks, for a segment model) of the animals on RGB frames."""

    def __init__(self, model: nn.Module, state: dict[str, Any], device: torch.device, score_threshold: float = 0.5) -> None:
        self.model, self.state, self.device = model.eval(), state, device
        self.task: str = state["task"]
        self.classes = ClassTable.from_state(state["classes"])
        self.score_threshold = score_threshold

    @torch.no_grad()
    def predict(self, frames: list[np.ndarray], score_threshold: float | None = None) -> list[list[dict[str, Any]]]:
        """Per frame, its detections, best first (see the module docstring)."""
        if not frames:
            return []
        threshold = self.score_threshold if score_threshold is None else score_threshold
        outputs = self.model(frames_to_tensors(frames, self.device))
        return [to_instances(output, self.classes, threshold) for output in outputs]


def load_predictor(checkpoint_payload: dict[str, Any], device: torch.device | str = "cpu",
                   score_threshold: float | None = None) -> DetectionPredictor:  # fmt: skip
    """The predictor of a loaded checkpoint (`core.ml.checkpoint.load_checkpoint(path)`);
    `score_threshold` defaults to the one trained with (option "score_threshold", 0.5)."""
    task = checkpoint_payload.get("task")
    if task not in TASKS or "adapter" not in checkpoint_payload or "model" not in checkpoint_payload:
        raise CheckpointError(f"this checkpoint holds a {task!r} model, not a detection or segmentation model")
    device = torch.device(device)
    try:
        model, _ = build_detector(checkpoint_payload["adapter"], pretrained=False)
        model.load_state_dict(checkpoint_payload["model"])
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        raise CheckpointError(f"this {task} checkpoint cannot be rebuilt by this version ({type(error).__name__}: {error})") from None
    state = checkpoint_payload["adapter"]
    threshold = float(state.get("score_threshold", 0.5)) if score_threshold is None else score_threshold
    return DetectionPredictor(model.to(device), state, device, threshold)
