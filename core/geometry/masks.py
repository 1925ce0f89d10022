"""Painting and converting masks: a brush stroke, polygons rasterised, a mask's outline.

OpenCV draws the strokes (a thick anti-alias-free polyline with round caps is exactly a
circular brush dragged along the points), so painting a stroke costs microseconds.
"""

from __future__ import annotations

import cv2
import numpy as np


def paint_stroke(mask: np.ndarray, points: np.ndarray, radius: float, erase: bool = False) -> np.ndarray:
    """A copy of boolean `mask` (H, W) with a round brush of `radius` pixels dragged through
    `points` of shape `(n, 2)` (x, y): set where painting, cleared where erasing."""
    canvas = mask.astype(np.uint8).copy()
    points = np.round(np.asarray(points, dtype=np.float64).reshape(-1, 2)).astype(np.int32)
    value = 0 if erase else 1
    thickness = max(1, int(round(2 * radius)))
    if len(points) == 1:
        cv2.circle(canvas, tuple(int(v) for v in points[0]), max(0, int(round(radius))), value, thickness=-1)
    else:
        cv2.polylines(canvas, [points], isClosed=False, color=value, thickness=thickness, lineType=cv2.LINE_8)
        for point in (points[0], points[-1]):
            cv2.circle(canvas, tuple(int(v) for v in point), max(0, int(round(radius))), value, thickness=-1)
    return canvas.astype(bool)


def polygons_to_mask(polygons: list[np.ndarray], height: int, width: int) -> np.ndarray:
    """Rasterise polygons (each `(n, 2)` x, y) into a boolean `(height, width)` mask."""
    canvas = np.zeros((height, width), dtype=np.uint8)
    shapes = [np.round(np.asarray(p, dtype=np.float64)).astype(np.int32) for p in polygons if len(p) >= 3]
    if shapes:
        cv2.fillPoly(canvas, shapes, 1)
    return canvas.astype(bool)


def mask_to_polygons(mask: np.ndarray, tolerance: float = 1.0) -> list[np.ndarray]:
    """Outer outlines of a boolean mask as polygons `(n, 2)`, simplified to `tolerance` pixels."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polygons = []
    for contour in contours:
        simplified = cv2.approxPolyDP(contour, tolerance, closed=True).reshape(-1, 2)
        if len(simplified) >= 3:
            polygons.append(simplified.astype(np.float64))
    return polygons
