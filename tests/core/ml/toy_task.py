"""A toy task for testing the trainer: fit y = 3x - 1 with a linear layer."""

from __future__ import annotations

import torch
from torch import nn


class ToyAdapter:
    task = "toy"
    monitor = "val_loss"
    monitor_mode = "min"

    def __init__(self, batches: int = 8, batch_size: int = 16, seed: int = 0) -> None:
        generator = torch.Generator().manual_seed(seed)
        self.x = torch.randn(batches * batch_size, 1, generator=generator)
        self.y = 3 * self.x - 1
        self.batches, self.batch_size = batches, batch_size

    def build_model(self) -> nn.Module:
        torch.manual_seed(0)
        return nn.Linear(1, 1)

    def train_batches(self, epoch, rank=0, world_size=1):
        for b in range(rank, self.batches, world_size):
            s = slice(b * self.batch_size, (b + 1) * self.batch_size)
            yield self.x[s], self.y[s]

    def to_device(self, batch, device):
        return tuple(t.to(device) for t in batch)

    def batch_size_of(self, batch):
        return len(batch[0])

    def losses(self, model, batch):
        x, y = batch
        return {"loss": nn.functional.mse_loss(model(x), y)}

    def evaluate(self, model, device):
        return {"val_loss": float(nn.functional.mse_loss(model(self.x.to(device)), self.y.to(device)))}

    def preview(self, model, device, n=4):
        return [{"x": float(self.x[0]), "y": float(model(self.x[:1].to(device)))}]

    def state(self):
        return {"kind": "linear"}
