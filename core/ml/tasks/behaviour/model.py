"""The temporal head: dilated 1-D convolutions over a window of per-frame features, one output
per frame (DeepEthogram's sequence model, kept small enough to retrain in seconds on a CPU).

Input (batch, frames, features) -> logits (batch, frames, outputs). The features are
standardised inside the model (`mean` and `std` are buffers saved with the weights), so a
predictor needs nothing but the checkpoint. Outputs: with `n_exclusive` > 0, the first
`n_exclusive + 1` logits are one softmax group (the exclusive behaviours, then "none"); the
rest are independent sigmoids.
"""

from __future__ import annotations

import torch
from torch import nn


class _Block(nn.Module):
    def __init__(self, channels: int, dilation: int, dropout: float) -> None:
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, 3, padding=dilation, dilation=dilation)
        self.norm = nn.GroupNorm(1, channels)
        self.mix = nn.Conv1d(channels, channels, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.drop(self.mix(torch.relu(self.norm(self.conv(x)))))


class TemporalHead(nn.Module):
    def __init__(self, in_features: int, n_outputs: int, hidden: int = 64, dilations: tuple[int, ...] = (1, 2, 4, 8),
                 dropout: float = 0.3, input_dropout: float = 0.2) -> None:  # fmt: skip
        super().__init__()
        self.register_buffer("mean", torch.zeros(in_features))
        self.register_buffer("std", torch.ones(in_features))
        self.input_drop = nn.Dropout(input_dropout)
        self.project = nn.Conv1d(in_features, hidden, 1)
        self.blocks = nn.Sequential(*[_Block(hidden, d, dropout) for d in dilations])
        self.out = nn.Conv1d(hidden, n_outputs, 1)
        self.receptive_field = 1 + 2 * sum(dilations)

    def set_standardisation(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        self.mean.copy_(mean)
        self.std.copy_(torch.clamp(std, min=1e-3))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = (features - self.mean) / self.std
        x = self.input_drop(x).transpose(1, 2)
        x = self.blocks(torch.relu(self.project(x)))
        return self.out(x).transpose(1, 2)


def probabilities(logits: torch.Tensor, n_exclusive: int) -> torch.Tensor:
    """Per-frame probabilities (..., n_behaviours) from logits, in the model's behaviour order
    (the exclusive ones first; the "none" column is dropped)."""
    if n_exclusive == 0:
        return torch.sigmoid(logits)
    softmax = torch.softmax(logits[..., : n_exclusive + 1], dim=-1)[..., :n_exclusive]
    return torch.cat([softmax, torch.sigmoid(logits[..., n_exclusive + 1 :])], dim=-1)
