"""Small helpers the tasks' augmentation previews share (`augmented_samples` of pose and
detection): which labelled frames to show, and a training tensor back as an RGB image.

A sample is (RGB uint8 (H, W, 3), [instance dict, ...]) with the instances in the sample
image's pixels: {"label": str, "box": [x1, y1, x2, y2] | None, "mask": bool array (H, W)
(segment only), "keypoints": [[x, y, visibility], ...] and "edges": [[a, b], ...] (pose only)}.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Sample = tuple[np.ndarray, list[dict[str, Any]]]


def spread(count: int, n: int) -> list[int]:
    """`n` indices spread evenly over range(count), repeating when count < n."""
    return [int(i * count / n) % count for i in range(n)] if count else []


def to_rgb(image) -> np.ndarray:
    """A float (3, H, W) tensor in [0, 1] as RGB uint8 (H, W, 3)."""
    return (image.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).contiguous().numpy()
