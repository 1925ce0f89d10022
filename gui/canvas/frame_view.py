"""The frame with its annotations: a zoomable, pannable QGraphicsView. It only draws what
`show_frame` is given; the main window decides what that is."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView

from core.domain import Instance, Skeleton
from gui.canvas.instance_item import InstanceItem

PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45")


def frame_to_pixmap(frame: np.ndarray) -> QPixmap:
    """An (H, W, 3) uint8 RGB array as a pixmap (copied: Qt must not keep numpy's memory)."""
    frame = np.ascontiguousarray(frame)
    height, width = frame.shape[:2]
    image = QImage(frame.data, width, height, width * 3, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())


class FrameView(QGraphicsView):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(Qt.GlobalColor.black)
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._pixmap)
        self.instance_items: list[InstanceItem] = []
        self._fitted = False
        self.show_predictions = True

    def show_frame(self, frame: np.ndarray | None) -> None:
        if frame is None:
            return
        self._pixmap.setPixmap(frame_to_pixmap(frame))
        self.scene().setSceneRect(self._pixmap.boundingRect())
        if not self._fitted:
            self.fit()

    def show_instances(
        self,
        instances: list[Instance],
        skeletons: dict[int, Skeleton],
        colors: dict[str, dict[int, str]],
        selected: int | None = None,
    ) -> None:
        """Draw these instances, replacing the ones shown. `colors` maps "track"/"class" ids to
        colours; an instance takes its track's colour, else its class's, else the palette's."""
        for item in self.instance_items:
            self.scene().removeItem(item)
        self.instance_items = []
        for n, instance in enumerate(instances):
            if instance.is_predicted and not self.show_predictions:
                continue
            color = (
                colors.get("track", {}).get(instance.track_id)
                or colors.get("class", {}).get(instance.class_id)
                or PALETTE[n % len(PALETTE)]
            )
            skeleton = skeletons.get(instance.skeleton_id) if instance.skeleton_id is not None else None
            item = InstanceItem(instance, color, skeleton, selected=instance.id == selected)
            item.setZValue(1)
            self.scene().addItem(item)
            self.instance_items.append(item)

    def fit(self) -> None:
        if not self._pixmap.pixmap().isNull():
            self.fitInView(self._pixmap, Qt.AspectRatioMode.KeepAspectRatio)
            self._fitted = True

    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.scale(factor, factor)
