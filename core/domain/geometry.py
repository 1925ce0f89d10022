"""Geometric values an instance carries: an axis-aligned box and a run-length-encoded mask.

Masks are kept as COCO run-length encoding (pycocotools) rather than as pixel arrays: a mask of
a 1024x1024 frame is a few hundred bytes instead of a megabyte, decodes in microseconds, and is
exactly what COCO files and most segmentation tools exchange.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pycocotools import mask as coco_mask


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixel coordinates of the frame, corners (x1, y1) to (x2, y2)."""

    x1: float
    y1: float
    x2: float
    y2: float

    def normalized(self) -> Box:
        """The same box with x1 <= x2 and y1 <= y2 (a drag may go in any direction)."""
        return Box(min(self.x1, self.x2), min(self.y1, self.y2), max(self.x1, self.x2), max(self.y1, self.y2))

    def translated(self, dx: float, dy: float) -> Box:
        return Box(self.x1 + dx, self.y1 + dy, self.x2 + dx, self.y2 + dy)

    @property
    def width(self) -> float:
        return abs(self.x2 - self.x1)

    @property
    def height(self) -> float:
        return abs(self.y2 - self.y1)

    @property
    def area(self) -> float:
        return self.width * self.height

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)


@dataclass(frozen=True)
class Rle:
    """A binary mask of a `height` x `width` frame in COCO's compressed run-length encoding."""

    height: int
    width: int
    counts: str

    @classmethod
    def from_array(cls, mask: np.ndarray) -> Rle:
        """Encode a boolean or 0/1 array of shape `(height, width)`."""
        if mask.ndim != 2:
            raise ValueError(f"a mask must be 2-D (height, width), got shape {mask.shape}")
        encoded = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
        return cls(int(mask.shape[0]), int(mask.shape[1]), encoded["counts"].decode("ascii"))

    def to_array(self) -> np.ndarray:
        """Decode to a boolean array of shape `(height, width)`."""
        return coco_mask.decode(self.as_coco()).astype(bool)

    def as_coco(self) -> dict:
        """The dictionary form pycocotools and COCO JSON use."""
        return {"size": [self.height, self.width], "counts": self.counts.encode("ascii")}

    @property
    def area(self) -> int:
        return int(coco_mask.area(self.as_coco()))

    def bounding_box(self) -> Box | None:
        """The tightest box around the mask's pixels, or None for an empty mask."""
        if self.area == 0:
            return None
        x, y, w, h = coco_mask.toBbox(self.as_coco()).tolist()
        return Box(x, y, x + w, y + h)
