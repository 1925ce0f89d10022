"""Feature extractors for visual-diversity suggestions: frames in, one vector per frame out.

k-means clusters whatever vectors an extractor returns, so a better notion of "looks
different" plugs in here without touching sampling or clustering. Today's extractor is the
one SLEAP and DeepLabCut use: a small grayscale thumbnail. A pretrained-CNN embedding (e.g. the
offline EfficientNet-Lite0 backbone) would be another `FeatureExtractor`, batching its frames
onto the GPU.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

# frames: a batch of (H, W, 3) uint8 RGB arrays -> (len(frames), D) float32, same D every call.
# A sequence rather than one stacked array: full-size frames need not be copied into a block
# that the extractor would immediately shrink.
FeatureExtractor = Callable[[Sequence[np.ndarray]], np.ndarray]

DEFAULT_THUMBNAIL_SIZE = 32


@dataclass(frozen=True)
class ThumbnailFeatures:
    """Each frame as a `size` x `size` grayscale thumbnail scaled to [0, 1], flattened.

    Brightness is kept, not normalised away per frame: lights going off or a cage lid
    opening is exactly the kind of change a training set should cover. Aspect ratio is not
    kept: the vectors are compared with one another, never shown.
    """

    size: int = DEFAULT_THUMBNAIL_SIZE

    def __post_init__(self) -> None:
        if self.size < 2:
            raise ValueError(f"thumbnail size must be at least 2 pixels, not {self.size}")

    def __call__(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        out = np.empty((len(frames), self.size * self.size), dtype=np.float32)
        for row, frame in enumerate(frames):
            gray = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY)
            # INTER_AREA averages the pixels under each thumbnail pixel: no aliasing from
            # fine texture (bedding, fur) that nearest-neighbour shrinking would turn into noise.
            small = cv2.resize(gray, (self.size, self.size), interpolation=cv2.INTER_AREA)
            out[row] = small.reshape(-1)
        out *= 1.0 / 255.0
        return out
