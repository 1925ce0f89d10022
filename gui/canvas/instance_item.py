"""One instance drawn over the frame: box, polygons, mask, skeleton. User labels are solid,
predictions dashed with their score, as review tools draw them. A predicted node scoring under
its model's node threshold is drawn as a small dimmed ring without edges: shown, never hidden,
but marked as what accepting and exporting leave out. The selected instance is drawn thicker,
with its box's resize handles and its polygons' vertices at a constant screen size."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from core.domain import Instance, Skeleton, Visibility
from gui.canvas.tools.hit_test import box_handles

NODE_RADIUS = 4.0  # screen pixels
HANDLE_SIZE = 7.0  # screen pixels
VERTEX_SIZE = 5.0  # screen pixels
WEAK_NODE_SCALE = 0.6  # a node under the node threshold: a ring this much smaller
WEAK_NODE_ALPHA = 130


def weak_nodes(instance: Instance, node_threshold: float | None) -> np.ndarray:
    """(n_nodes,) True for a predicted node placed with a score under `node_threshold`."""
    keypoints = instance.keypoints
    if keypoints is None:
        return np.zeros(0, bool)
    scores = instance.keypoint_scores
    if not instance.is_predicted or scores is None or node_threshold is None or len(scores) != len(keypoints):
        return np.zeros(len(keypoints), bool)
    return (keypoints[:, 2] > Visibility.UNLABELLED) & (np.asarray(scores) < node_threshold)


class InstanceItem(QGraphicsItem):
    def __init__(
        self, instance: Instance, color: str, skeleton: Skeleton | None, selected: bool = False,
        node_threshold: float | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.instance = instance
        self.color = QColor(color)
        self.skeleton = skeleton
        self.selected = selected
        self.node_threshold = node_threshold
        self._take(instance)

    def _take(self, instance: Instance) -> None:
        self.instance = instance
        self.weak = weak_nodes(instance, self.node_threshold)
        self._mask_image = self._mask_to_image() if instance.mask is not None else None
        self._bounds = self._compute_bounds()

    def set_instance(self, instance: Instance) -> None:
        """Draw `instance` instead (a drag in progress: nothing is written until it ends)."""
        self.prepareGeometryChange()
        self._take(instance)
        self.update()

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    def _mask_to_image(self) -> QImage:
        mask = self.instance.mask.to_array()
        rgba = np.zeros(mask.shape + (4,), dtype=np.uint8)
        rgba[mask] = (self.color.red(), self.color.green(), self.color.blue(), 90)
        image = QImage(rgba.data, mask.shape[1], mask.shape[0], mask.shape[1] * 4, QImage.Format.Format_RGBA8888)
        return image.copy()  # own the pixels: `rgba` dies with this function

    def _compute_bounds(self) -> QRectF:
        xs: list[float] = []
        ys: list[float] = []
        i = self.instance
        if i.box is not None:
            xs += [i.box.x1, i.box.x2]
            ys += [i.box.y1, i.box.y2]
        for polygon in i.polygons:
            xs += polygon[:, 0].tolist()
            ys += polygon[:, 1].tolist()
        if i.keypoints is not None:
            labelled = i.keypoints[i.keypoints[:, 2] > 0]
            xs += labelled[:, 0].tolist()
            ys += labelled[:, 1].tolist()
        if i.mask is not None:
            return QRectF(0, 0, i.mask.width, i.mask.height)
        if not xs:
            return QRectF()
        pad = 60.0  # room for handles and nodes drawn at screen size, down to a 1/8 zoom
        return QRectF(min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, _option: QStyleOptionGraphicsItem, _widget: QWidget | None = None) -> None:
        i = self.instance
        pen = QPen(self.color.lighter(130) if self.selected else self.color, 3 if self.selected else 2)
        pen.setCosmetic(True)
        if i.is_predicted:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self._mask_image is not None:
            painter.drawImage(0, 0, self._mask_image)
        if i.box is not None:
            painter.drawRect(QRectF(QPointF(i.box.x1, i.box.y1), QPointF(i.box.x2, i.box.y2)))
        fill = QColor(self.color)
        fill.setAlpha(50)
        for polygon in i.polygons:
            painter.setBrush(QBrush(fill))
            painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in polygon]))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if i.keypoints is not None:
            self._paint_skeleton(painter, pen)
        if i.is_predicted and i.score is not None:
            anchor = self._label_anchor()
            if anchor is not None:
                painter.drawText(anchor, f"{i.score:.2f}")
        if self.selected:
            self._paint_handles(painter)

    def _paint_handles(self, painter: QPainter) -> None:
        """Resize handles of the box and the polygons' vertices, white-edged squares."""
        scale = max(painter.worldTransform().m11(), 1e-6)
        outline = QPen(Qt.GlobalColor.white, 1)
        outline.setCosmetic(True)
        painter.setPen(outline)
        painter.setBrush(QBrush(self.color))
        squares: list[tuple[float, float, float]] = []
        if self.instance.box is not None:
            squares += [(x, y, HANDLE_SIZE) for x, y in box_handles(self.instance.box).values()]
        for polygon in self.instance.polygons:
            squares += [(x, y, VERTEX_SIZE) for x, y in polygon]
        for x, y, size in squares:
            half = size / 2 / scale
            painter.drawRect(QRectF(x - half, y - half, 2 * half, 2 * half))

    def _paint_skeleton(self, painter: QPainter, pen: QPen) -> None:
        points = self.instance.keypoints
        radius = NODE_RADIUS / max(painter.worldTransform().m11(), 1e-6)  # same size on screen at any zoom
        labelled = points[:, 2] > Visibility.UNLABELLED
        strong = labelled & ~self.weak if len(self.weak) == len(points) else labelled
        if self.skeleton is not None:
            for a, b in self.skeleton.edges:
                if a < len(points) and b < len(points) and strong[a] and strong[b]:
                    painter.drawLine(QPointF(*points[a, :2]), QPointF(*points[b, :2]))
        if self.selected:
            radius *= 1.3
        for x, y, visibility in points[strong]:
            occluded = visibility == Visibility.OCCLUDED
            painter.setBrush(Qt.BrushStyle.NoBrush if occluded else QBrush(self.color))
            painter.drawEllipse(QPointF(x, y), radius, radius)
        if (labelled & ~strong).any():
            dim = QPen(pen)
            faded = QColor(pen.color())
            faded.setAlpha(WEAK_NODE_ALPHA)
            dim.setColor(faded)
            dim.setStyle(Qt.PenStyle.SolidLine)
            painter.setPen(dim)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for x, y, _ in points[labelled & ~strong]:
                painter.drawEllipse(QPointF(x, y), radius * WEAK_NODE_SCALE, radius * WEAK_NODE_SCALE)
            painter.setPen(pen)

    def _label_anchor(self) -> QPointF | None:
        i = self.instance
        if i.box is not None:
            return QPointF(i.box.x1, i.box.y1 - 4)
        if i.keypoints is not None and (i.keypoints[:, 2] > 0).any():
            x, y = i.keypoints[i.keypoints[:, 2] > 0][0, :2]
            return QPointF(x + 6, y - 6)
        return None
