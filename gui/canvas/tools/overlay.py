"""The tools' scratch layer over the frame: previews of gestures in progress (a box being
dragged, a polygon's rubber band, a brush stroke, the next keypoint) and hover feedback.

Tools describe what to draw as a list of `Shape`s; nothing here touches the store. Handles,
nodes and line widths are drawn at a constant size on screen, whatever the zoom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

ShapeKind = Literal["polyline", "polygon", "rect", "stroke", "circle", "handle", "node", "text"]
HANDLE_PX = 8.0
NODE_PX = 5.0


@dataclass(frozen=True)
class Shape:
    """One thing to draw. `points` is `(n, 2)` in frame pixels. `size` is the brush radius or
    circle radius in frame pixels for "stroke"/"circle", and a screen size for "handle"/"node"."""

    kind: ShapeKind
    points: np.ndarray
    color: str = "#ffff00"
    size: float = 0.0
    dashed: bool = False
    filled: bool = False
    text: str = ""


def shape(kind: ShapeKind, points, **options) -> Shape:
    return Shape(kind, np.asarray(points, dtype=np.float64).reshape(-1, 2), **options)


class OverlayItem(QGraphicsItem):
    def __init__(self) -> None:
        super().__init__()
        self.shapes: list[Shape] = []
        self._bounds = QRectF()
        self.setZValue(10)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_shapes(self, shapes: list[Shape]) -> None:
        self.prepareGeometryChange()
        self.shapes = list(shapes)
        self._bounds = self._compute_bounds()
        self.update()

    def clear(self) -> None:
        if self.shapes:
            self.set_shapes([])

    def _compute_bounds(self) -> QRectF:
        points = [s.points for s in self.shapes if len(s.points)]
        if not points:
            return QRectF()
        stacked = np.concatenate(points)
        pad = 60.0 + max((s.size for s in self.shapes if s.kind in ("stroke", "circle")), default=0.0)
        (x1, y1), (x2, y2) = stacked.min(axis=0), stacked.max(axis=0)
        return QRectF(x1 - pad, y1 - pad, x2 - x1 + 2 * pad + 200, y2 - y1 + 2 * pad)  # 200: room for text

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, _option: QStyleOptionGraphicsItem, _widget: QWidget | None = None) -> None:
        scale = max(painter.worldTransform().m11(), 1e-6)
        for s in self.shapes:
            color = QColor(s.color)
            pen = QPen(color, 1.5)
            pen.setCosmetic(True)
            if s.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            fill = QColor(color)
            fill.setAlpha(60)
            painter.setBrush(QBrush(fill) if s.filled else Qt.BrushStyle.NoBrush)
            points = [QPointF(float(x), float(y)) for x, y in s.points]
            if s.kind == "polyline" and len(points) >= 2:
                painter.drawPolyline(QPolygonF(points))
            elif s.kind == "polygon" and len(points) >= 2:
                painter.drawPolygon(QPolygonF(points))
            elif s.kind == "rect" and len(points) == 2:
                painter.drawRect(QRectF(points[0], points[1]).normalized())
            elif s.kind == "stroke":
                self._paint_stroke(painter, points, s.size, color)
            elif s.kind == "circle" and points:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(points[0], s.size, s.size)
            elif s.kind == "handle":
                half = (s.size or HANDLE_PX) / 2 / scale
                painter.setBrush(QBrush(color))
                for p in points:
                    painter.drawRect(QRectF(p.x() - half, p.y() - half, 2 * half, 2 * half))
            elif s.kind == "node":
                radius = (s.size or NODE_PX) / scale
                for p in points:
                    painter.drawEllipse(p, radius, radius)
            elif s.kind == "text" and points:
                painter.save()
                painter.translate(points[0])
                painter.scale(1 / scale, 1 / scale)  # text at its point size on screen
                painter.drawText(QPointF(8, -8), s.text)
                painter.restore()

    @staticmethod
    def _paint_stroke(painter: QPainter, points: list[QPointF], radius: float, color: QColor) -> None:
        """A brush stroke as the mask will receive it: round caps, `radius` frame pixels wide."""
        if not points:
            return
        fill = QColor(color)
        fill.setAlpha(110)
        pen = QPen(fill, 2 * radius, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if len(points) == 1:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(fill))
            painter.drawEllipse(points[0], radius, radius)
            return
        path = QPainterPath(points[0])
        for p in points[1:]:
            path.lineTo(p)
        painter.drawPath(path)
