"""Icons for the canvas tools and commands, drawn with QPainter (no image files to license or
ship): an arrow, a box, a polygon, a skeleton, a brush stroke, a box becoming a mask, a template.
Drawn in the palette's text colour so they read on light and dark themes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication

SIZE = 32
ACCENT = QColor("#2f7de1")


def _select(p: QPainter, ink: QColor) -> None:
    arrow = QPolygonF([QPointF(8, 4), QPointF(8, 26), QPointF(13, 21), QPointF(17, 29), QPointF(20, 27), QPointF(16, 20), QPointF(23, 20)])
    p.setBrush(ink)
    p.drawPolygon(arrow)


def _box(p: QPainter, ink: QColor) -> None:
    p.drawRect(QRectF(5, 8, 22, 16))
    p.setBrush(ACCENT)
    for x, y in ((5, 8), (27, 8), (5, 24), (27, 24)):
        p.drawRect(QRectF(x - 2, y - 2, 4, 4))


def _polygon(p: QPainter, ink: QColor) -> None:
    points = [QPointF(6, 12), QPointF(15, 5), QPointF(27, 10), QPointF(24, 26), QPointF(9, 25)]
    p.drawPolygon(QPolygonF(points))
    p.setBrush(ACCENT)
    for point in points:
        p.drawEllipse(point, 2.2, 2.2)


def _keypoints(p: QPainter, ink: QColor) -> None:
    nodes = [QPointF(16, 6), QPointF(16, 15), QPointF(8, 24), QPointF(24, 24), QPointF(16, 27)]
    for a, b in ((0, 1), (1, 2), (1, 3), (1, 4)):
        p.drawLine(nodes[a], nodes[b])
    p.setBrush(ACCENT)
    for node in nodes:
        p.drawEllipse(node, 3, 3)


def _brush(p: QPainter, ink: QColor) -> None:
    stroke = QPainterPath(QPointF(5, 24))
    stroke.cubicTo(QPointF(10, 10), QPointF(18, 30), QPointF(27, 8))
    p.setPen(QPen(ACCENT, 6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawPath(stroke)


def _grabcut(p: QPainter, ink: QColor) -> None:
    p.setPen(QPen(ink, 1.5, Qt.PenStyle.DashLine))
    p.drawRect(QRectF(4, 6, 24, 20))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ACCENT)
    p.drawEllipse(QRectF(9, 10, 14, 12))


def _template(p: QPainter, ink: QColor) -> None:
    p.setPen(QPen(ink, 1.5, Qt.PenStyle.DashLine))
    p.drawEllipse(QRectF(4, 4, 24, 24))
    p.setPen(QPen(ink, 2))
    _keypoints(p, ink)


DRAWINGS: dict[str, Callable[[QPainter, QColor], None]] = {
    "select": _select, "box": _box, "polygon": _polygon, "keypoint": _keypoints, "brush": _brush,
    "canvas.box_to_mask": _grabcut, "canvas.drop_template": _template,
}  # fmt: skip


def tool_icon(name: str) -> QIcon:
    """The icon of a tool (`ToolSpec.id`) or canvas command (`CanvasCommand.id`); empty if none."""
    draw = DRAWINGS.get(name)
    if draw is None:
        return QIcon()
    app = QApplication.instance()
    ink = app.palette().color(QPalette.ColorRole.WindowText) if app is not None else QColor("#202020")
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(ink, 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    draw(painter, ink)
    painter.end()
    return QIcon(pixmap)
