"""What a task (pose, detect, segment, behaviour...) provides to the shared trainer.

The trainer owns the loop (device, mixed precision, schedule, checkpoints, early stopping,
events, cancel, DistributedDataParallel); a task owns its data, its model and its metrics.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import torch
from torch import nn


class TaskAdapter(Protocol):
    task: str  # "pose", "detect", "segment", ...
    monitor: str  # the validation metric that picks the best checkpoint, e.g. "val_loss"
    monitor_mode: str  # "min" or "max"

    def build_model(self) -> nn.Module:
        """A fresh model (pretrained backbone, new head)."""
        ...

    def train_batches(self, epoch: int, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        """One epoch of augmented training batches (this rank's share), on the CPU."""
        ...

    def to_device(self, batch: Any, device: torch.device) -> Any:
        ...

    def batch_size_of(self, batch: Any) -> int:
        ...

    def losses(self, model: nn.Module, batch: Any) -> dict[str, torch.Tensor]:
        """Loss parts; "loss" is the total that is minimised."""
        ...

    def evaluate(self, model: nn.Module, device: torch.device) -> dict[str, float]:
        """Validation metrics (must include `monitor`)."""
        ...

    def preview(self, model: nn.Module, device: torch.device, n: int = 4) -> list[dict[str, Any]]:
        """Predictions on a few validation frames, as JSON-able dicts for the GUI."""
        ...

    def state(self) -> dict[str, Any]:
        """Everything needed to rebuild the model for inference (plain values): classes,
        skeleton, input size, backbone name..."""
        ...


def parameter_groups(model: nn.Module, weight_decay: float) -> Iterable[dict[str, Any]]:
    """No weight decay on biases and normalisation parameters (standard practice)."""
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        (no_decay if parameter.ndim <= 1 or name.endswith(".bias") else decay).append(parameter)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
