"""What a task (pose, detect, segment, behaviour, classify...) provides to the shared trainer.

The trainer owns the loop (device, mixed precision, schedule, checkpoints, early stopping,
events, cancel, DistributedDataParallel); a task owns its data, its model and its metrics.
"""

from __future__ import annotations

from collections.abc import Iterator
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


def parameter_groups(model: nn.Module, weight_decay: float, lr_scales: dict[str, float] | None = None
                     ) -> list[dict[str, Any]]:  # fmt: skip
    """No weight decay on biases and normalisation parameters (standard practice). With
    `lr_scales` ({name fragment: factor}), parameters whose name contains a fragment train at
    that factor of the learning rate (the group's `lr_scale`, read by the trainer)."""
    groups: dict[tuple[bool, float], list[nn.Parameter]] = {}
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        scale = next((f for fragment, f in (lr_scales or {}).items() if fragment in name), 1.0)
        groups.setdefault((parameter.ndim > 1 and not name.endswith(".bias"), scale), []).append(parameter)
    return [{"params": params, "weight_decay": weight_decay if decay else 0.0, "lr_scale": scale}
            for (decay, scale), params in sorted(groups.items(), key=lambda item: (not item[0][0], item[0][1]))]
