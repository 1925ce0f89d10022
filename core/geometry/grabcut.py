"""Box to mask in one click: OpenCV's GrabCut segments the object inside a box.

GrabCut fits colour models to the box's surroundings (background) and inside (probable
foreground) and cuts between them; it needs no network and no download, so it works offline
on any frame. Only a crop around the box is processed, so a 4K frame costs what its box costs.
"""

from __future__ import annotations

import cv2
import numpy as np

from core.domain import Box

MARGIN = 0.25  # of the box size: background context GrabCut learns its colours from
MIN_MARGIN = 8  # pixels


def mask_from_box(frame_rgb: np.ndarray, box: Box, iterations: int = 5) -> np.ndarray:
    """A boolean `(H, W)` mask of the object inside `box` on `frame_rgb` `(H, W, 3)` (or `(H, W)`
    grey). Pixels outside the box are never foreground; a box under 2 pixels wide or high, or
    outside the frame, gives an empty mask."""
    image = np.asarray(frame_rgb)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] < 3:
        raise ValueError(f"a frame must be (H, W, 3) RGB or (H, W) grey, got shape {image.shape}")
    image = np.ascontiguousarray(image[:, :, :3]).astype(np.uint8, copy=False)
    height, width = image.shape[:2]
    result = np.zeros((height, width), dtype=bool)

    b = box.normalized()
    x1, y1 = max(0, int(np.floor(b.x1))), max(0, int(np.floor(b.y1)))
    x2, y2 = min(width, int(np.ceil(b.x2))), min(height, int(np.ceil(b.y2)))
    if x2 - x1 < 2 or y2 - y1 < 2:
        return result

    margin_x = max(MIN_MARGIN, int((x2 - x1) * MARGIN))
    margin_y = max(MIN_MARGIN, int((y2 - y1) * MARGIN))
    cx1, cy1 = max(0, x1 - margin_x), max(0, y1 - margin_y)
    cx2, cy2 = min(width, x2 + margin_x), min(height, y2 + margin_y)
    crop = np.ascontiguousarray(image[cy1:cy2, cx1:cx2])
    labels = np.zeros(crop.shape[:2], dtype=np.uint8)
    rect = (x1 - cx1, y1 - cy1, x2 - x1, y2 - y1)
    background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(crop, labels, rect, background, foreground, max(1, int(iterations)), cv2.GC_INIT_WITH_RECT)
    except cv2.error:
        # A box covering the whole crop leaves GrabCut no background sample to learn from.
        return result
    inside = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    result[cy1:cy2, cx1:cx2] = inside
    return result
