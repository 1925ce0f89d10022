"""Self-training on the frames nobody coded: the model's confident opinions become soft-weighted
training labels (pseudo-labelling, Lee 2013), refreshed as training goes on.

A coder labels a tenth of a video; the other nine tenths hold the same behaviours, unlabelled.
From `start_after` validation passes on, and every `every` passes after, the model runs over
every sequence and each uncoded frame where one behaviour of the exclusive group (or "none")
gets at least `threshold` probability becomes a training frame with that label, weighted
`weight` against a coded frame. Coded frames keep the coder's label (validation frames are
coded, so they are never pseudo-labelled and stay an honest check). Only models whose trained
behaviours are all in one exclusive group self-train; independent (multi-label) behaviours
have no single confident answer to copy.

On the demo world (20 minutes, 10% coded) it lifts frame macro F1 by about 0.01-0.04.
"""

from __future__ import annotations

import numpy as np
import torch


class PseudoLabels:
    def __init__(self, n_sequences: int, threshold: float, weight: float, start_after: int, every: int) -> None:
        self.threshold, self.weight, self.start_after, self.every = threshold, weight, start_after, every
        self.targets: list[np.ndarray | None] = [None] * n_sequences
        self.masks: list[np.ndarray | None] = [None] * n_sequences
        self.passes = 0

    @property
    def refreshed(self) -> bool:
        return self.masks[0] is not None if self.masks else False

    @property
    def count(self) -> int:
        return sum(int(m.sum()) for m in self.masks if m is not None)

    def due(self) -> bool:
        """Count one validation pass; whether the labels should be refreshed after it."""
        self.passes += 1
        return self.passes >= self.start_after and (self.passes - self.start_after) % max(self.every, 1) == 0

    def refresh(self, probabilities: list[np.ndarray], coded: list[np.ndarray], n_exclusive: int, n_outputs: int) -> int:
        """Relabel every sequence from its (F, n_exclusive + 1) softmax of the exclusive group
        ("none" last); returns how many frames carry a pseudo-label now."""
        for n, (p, coded_frames) in enumerate(zip(probabilities, coded)):
            best, confident = p.argmax(axis=1), p.max(axis=1) >= self.threshold
            mask = confident & ~coded_frames
            targets = np.zeros((len(p), n_outputs), np.float32)
            rows = np.flatnonzero(mask & (best < n_exclusive))
            targets[rows, best[rows]] = 1.0  # "none" stays all zero
            self.targets[n], self.masks[n] = targets, mask
        return self.count

    def window(self, n: int, index: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(targets, mask) of sequence n at frame `index`, or None before the first refresh."""
        if self.masks[n] is None:
            return None
        return self.targets[n][index], self.masks[n][index]


def softmax_group(logits: torch.Tensor, n_exclusive: int) -> np.ndarray:
    return torch.softmax(logits[:, : n_exclusive + 1].float(), dim=-1).numpy()
