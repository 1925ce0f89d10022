"""Run-length encoding of visible masks, in COCO's uncompressed layout.

Counts run over the frame in column-major order and start with a run of zeros, exactly as
`pycocotools.mask.frPyObjects({"size": [h, w], "counts": counts}, h, w)` reads them, so the
demo's masks convert to COCO without a decode. Encoding works from the mask's bounding crop
because the demo renders each animal in its crop: a full-frame pass per animal per frame
would dominate the render time.
"""

from __future__ import annotations

import numpy as np


def encode_crop(crop: np.ndarray, y0: int, x0: int, height: int, width: int) -> np.ndarray:
    """Counts (uint32) of a full `height x width` mask that is zero outside `crop` (h, w) bool
    placed with its top-left pixel at row `y0`, column `x0`."""
    h, w = crop.shape
    if h == 0 or w == 0 or not crop.any():
        return np.array([height * width], dtype=np.uint32)
    # The full-height strip of the crop's columns, column-major: row c of `strip` is column x0+c.
    strip = np.zeros((w, height), dtype=bool)
    strip[:, y0:y0 + h] = crop.T
    flat = strip.ravel()
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    base = x0 * height
    parts = []
    if flat[0]:
        parts.append(np.array([0]))
    parts.append(changes)
    if flat[-1]:
        parts.append(np.array([flat.size]))
    positions = np.concatenate(parts).astype(np.int64) + base
    bounds = np.concatenate(([0], positions, [height * width]))
    return np.diff(bounds).astype(np.uint32)


def encode(mask: np.ndarray) -> np.ndarray:
    """Counts (uint32) of a full (H, W) bool mask."""
    height, width = mask.shape
    return encode_crop(mask, 0, 0, height, width)


def decode(counts: np.ndarray, height: int, width: int) -> np.ndarray:
    """The (H, W) bool mask of `counts`."""
    ends = np.cumsum(counts, dtype=np.int64)
    if ends.size == 0 or ends[-1] != height * width:
        raise ValueError(f"RLE counts sum to {int(ends[-1]) if ends.size else 0}, not {height * width}")
    starts = ends - np.asarray(counts, dtype=np.int64)
    edges = np.zeros(height * width + 1, dtype=np.int32)
    # Odd runs are ones: mark where each starts and stops, and a running sum fills them in.
    # Runs of ones are separated by non-empty runs of zeros, so no two marks share an index.
    edges[starts[1::2]] += 1
    edges[ends[1::2]] -= 1
    flat = np.cumsum(edges[:-1]) > 0
    return flat.reshape(width, height).T


def area(counts: np.ndarray) -> int:
    return int(np.asarray(counts, dtype=np.int64)[1::2].sum())
