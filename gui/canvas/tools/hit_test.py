"""What is under the cursor: pure, keyword-only hit-testing over instances (no Qt), returning a
frozen `Hit`, in the manner of labelme's `_canvas_interaction.py`.

Points (nodes, polygon vertices, the selected box's handles) win over edges, and edges over
areas; among areas the smallest wins, so a small animal inside a large box stays clickable.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from core.domain import Box, Instance, Rle

HitKind = Literal["node", "vertex", "handle", "edge", "box", "polygon", "mask"]
HANDLES = ("tl", "t", "tr", "r", "br", "b", "bl", "l")


@dataclass(frozen=True)
class Hit:
    """`index` is the node, the vertex, or for an edge the vertex a new one goes before;
    `point` is where on an edge the cursor projects."""

    instance_id: int
    kind: HitKind
    index: int = -1
    polygon: int = -1
    handle: str = ""
    point: tuple[float, float] | None = None


def box_handles(box: Box) -> dict[str, tuple[float, float]]:
    """The eight resize handles of a box: corners and edge middles, by compass name."""
    b = box.normalized()
    cx, cy = (b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2
    return {
        "tl": (b.x1, b.y1), "t": (cx, b.y1), "tr": (b.x2, b.y1), "r": (b.x2, cy),
        "br": (b.x2, b.y2), "b": (cx, b.y2), "bl": (b.x1, b.y2), "l": (b.x1, cy),
    }  # fmt: skip


def resized_box(box: Box, handle: str, x: float, y: float) -> Box:
    """`box` with the sides named by `handle` moved to (x, y); may come out flipped."""
    b = box.normalized()
    x1, y1, x2, y2 = b.x1, b.y1, b.x2, b.y2
    if "l" in handle:
        x1 = x
    if "r" in handle:
        x2 = x
    if "t" in handle:
        y1 = y
    if "b" in handle:
        y2 = y
    return Box(x1, y1, x2, y2)


@lru_cache(maxsize=32)
def _decoded(height: int, width: int, counts: str) -> np.ndarray:
    return Rle(height, width, counts).to_array()


def _inside_polygon(points: np.ndarray, x: float, y: float) -> bool:
    """Even-odd rule ray casting."""
    xs, ys = points[:, 0], points[:, 1]
    xj, yj = np.roll(xs, 1), np.roll(ys, 1)
    crosses = ((ys > y) != (yj > y)) & (x < (xj - xs) * (y - ys) / np.where(yj == ys, 1e-12, yj - ys) + xs)
    return bool(np.count_nonzero(crosses) % 2)


def _nearest_on_edges(points: np.ndarray, x: float, y: float) -> tuple[int, float, tuple[float, float]]:
    """For a closed polygon: the edge nearest (x, y) as the index of its end vertex, the distance,
    and the projected point."""
    a, b = points, np.roll(points, -1, axis=0)
    ab = b - a
    length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
    t = np.clip(((np.array([x, y]) - a) * ab).sum(axis=1) / length2, 0.0, 1.0)
    projected = a + ab * t[:, None]
    distances = np.hypot(projected[:, 0] - x, projected[:, 1] - y)
    edge = int(np.argmin(distances))
    px, py = projected[edge]
    return (edge + 1) % len(points) or len(points), float(distances[edge]), (float(px), float(py))


def _point_hits(instance: Instance, x: float, y: float, handles: bool) -> list[tuple[float, Hit]]:
    found: list[tuple[float, Hit]] = []
    if instance.keypoints is not None:
        for node, (kx, ky, visibility) in enumerate(instance.keypoints):
            if visibility > 0:
                found.append((float(np.hypot(kx - x, ky - y)), Hit(instance.id, "node", index=node)))
    for p, polygon in enumerate(instance.polygons):
        for v, (vx, vy) in enumerate(polygon):
            found.append((float(np.hypot(vx - x, vy - y)), Hit(instance.id, "vertex", index=v, polygon=p)))
    if handles and instance.box is not None:
        for name, (hx, hy) in box_handles(instance.box).items():
            found.append((float(np.hypot(hx - x, hy - y)), Hit(instance.id, "handle", handle=name)))
    return found


def _area_hit(instance: Instance, x: float, y: float, tolerance: float) -> tuple[float, Hit] | None:
    """The smallest of the instance's areas containing (x, y), with its area."""
    best: tuple[float, Hit] | None = None
    if instance.box is not None:
        b = instance.box.normalized()
        if b.x1 - tolerance <= x <= b.x2 + tolerance and b.y1 - tolerance <= y <= b.y2 + tolerance:
            best = (max(b.area, 1.0), Hit(instance.id, "box"))
    for p, polygon in enumerate(instance.polygons):
        if len(polygon) >= 3 and _inside_polygon(polygon, x, y):
            xs, ys = polygon[:, 0], polygon[:, 1]
            area = max(0.5 * abs(np.dot(xs, np.roll(ys, 1)) - np.dot(ys, np.roll(xs, 1))), 1.0)
            if best is None or area < best[0]:
                best = (area, Hit(instance.id, "polygon", polygon=p))
    if instance.mask is not None and best is None:
        m = instance.mask
        bounds = m.bounding_box()
        if bounds is not None and bounds.x1 <= x < bounds.x2 and bounds.y1 <= y < bounds.y2:
            if _decoded(m.height, m.width, m.counts)[int(y), int(x)]:
                best = (float(m.area), Hit(instance.id, "mask"))
    return best


def hit_test(
    instances: list[Instance],
    x: float,
    y: float,
    *,
    tolerance: float,
    selected: int | None = None,
    kinds: frozenset[str] | None = None,
) -> Hit | None:
    """What a click at (x, y) would grab, within `tolerance` frame pixels, or None.

    Box handles are offered only for the `selected` instance (only it draws them); `kinds`
    restricts the answer (e.g. only nodes, for the keypoint tool).
    """

    def wanted(hit: Hit) -> bool:
        return kinds is None or hit.kind in kinds

    ordered = sorted(instances, key=lambda i: i.id != selected)  # the selected one wins ties
    points = [(d, n, h) for n, i in enumerate(ordered) for d, h in _point_hits(i, x, y, i.id == selected)]
    points = [(d, n, h) for d, n, h in points if d <= tolerance and wanted(h)]
    if points:
        return min(points, key=lambda item: (item[0], item[1]))[2]
    for instance in ordered:
        for p, polygon in enumerate(instance.polygons):
            if len(polygon) >= 2:
                before, distance, point = _nearest_on_edges(polygon, x, y)
                hit = Hit(instance.id, "edge", index=before, polygon=p, point=point)
                if distance <= tolerance and wanted(hit):
                    return hit
    areas = [a for a in (_area_hit(i, x, y, tolerance) for i in ordered) if a is not None and wanted(a[1])]
    return min(areas, key=lambda item: item[0])[1] if areas else None
