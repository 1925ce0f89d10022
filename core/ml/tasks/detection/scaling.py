"""Input scale and anchors chosen from the size of the labelled animals.

A user of Detectron2 or MMDetection sets the input size and anchor sizes by hand; here they
follow from the labels. The frame is scaled so that the median animal (square root of box
area) is about `target_size` pixels, but never so far that the smallest labelled animals
shrink below `min_animal` pixels: large animals are detected on a smaller, faster image, and
small ones on an enlarged one. Anchors are two sizes per pyramid level (strides 8, 16, 32, 64),
starting just under the smallest scaled animal; aspect ratios span the labelled boxes' shapes.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from core.ml.tasks.detection.labels import FrameTarget

STRIDES = (8, 16, 32, 64)


@dataclass(frozen=True)
class Scaling:
    scale: float  # model input pixels per frame pixel
    min_size: int  # GeneralizedRCNNTransform's min_size / max_size for the common frame size
    max_size: int
    anchor_sizes: tuple[tuple[float, ...], ...]  # per pyramid level
    aspect_ratios: tuple[float, ...]  # height / width

    def to_state(self) -> dict:
        return {k: (list(map(list, v)) if k == "anchor_sizes" else list(v) if isinstance(v, tuple) else v)
                for k, v in asdict(self).items()}  # fmt: skip

    @classmethod
    def from_state(cls, state: dict) -> Scaling:
        return cls(float(state["scale"]), int(state["min_size"]), int(state["max_size"]),
                   tuple(tuple(float(s) for s in level) for level in state["anchor_sizes"]),
                   tuple(float(r) for r in state["aspect_ratios"]))  # fmt: skip


def choose_scaling(
    targets: list[FrameTarget],
    frame_sizes: dict[int, tuple[int, int]],
    target_size: float = 64.0,
    min_animal: float = 20.0,
    scale: float | None = None,
) -> Scaling:
    """`frame_sizes` maps video id to (height, width); `scale` overrides the automatic choice."""
    boxes = np.concatenate([t.boxes for t in targets]).reshape(-1, 4)
    w = np.maximum(boxes[:, 2] - boxes[:, 0], 1.0)
    h = np.maximum(boxes[:, 3] - boxes[:, 1], 1.0)
    size = np.sqrt(w * h)
    if scale is None:
        scale = target_size / float(np.median(size))
        scale = max(scale, min_animal / float(np.percentile(size, 5)))
        scale = float(np.clip(scale, 1 / 8, 4.0))
    height, width = Counter(frame_sizes[t.key[0]] for t in targets).most_common(1)[0][0]
    min_size = max(32, round(min(height, width) * scale))
    max_size = max(32, math.ceil(max(height, width) * scale))

    smallest = float(np.percentile(size, 2)) * scale
    base = float(np.clip(smallest / 1.25, 8.0, 64.0))
    anchor_sizes = tuple((round(base * 2**i, 1), round(base * 2**i * math.sqrt(2), 1)) for i in range(len(STRIDES)))
    ratio = np.log(h / w)
    low = float(np.exp(np.percentile(ratio, 10)))
    high = float(np.exp(np.percentile(ratio, 90)))
    ratios = (round(min(max(low, 0.25), 0.8), 2), 1.0, round(max(min(high, 4.0), 1.25), 2))
    return Scaling(round(scale, 4), min_size, max_size, anchor_sizes, ratios)
