"""Draws labels or predictions (plain dicts: box, mask, keypoints, edges, score, label) over an
RGB image into a QPixmap, and a grid widget of such thumbnails. Used by the Train dialog's
augmentation preview and the training dock's preview predictions; user labels are drawn solid,
predictions dashed with their score, as on the canvas."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from core.domain import Rle
from core.domain.palette import colour_for

ENLARGED_SIDE = 640  # a clicked thumbnail, in pixels


def to_qimage(image: np.ndarray) -> QImage:
    """An RGB uint8 (H, W, 3) array as a QImage that owns its pixels."""
    image = np.ascontiguousarray(image[..., :3], dtype=np.uint8)
    height, width = image.shape[:2]
    return QImage(image.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def _mask_array(mask: Any) -> np.ndarray | None:
    if isinstance(mask, np.ndarray):
        return mask.astype(bool)
    if isinstance(mask, dict) and "counts" in mask:  # COCO RLE from a preview event
        height, width = mask["size"]
        return Rle(int(height), int(width), mask["counts"]).to_array().astype(bool)
    return None


def annotated_pixmap(image: np.ndarray, instances: list[dict[str, Any]], side: int = 180, predicted: bool = False) -> QPixmap:
    """`image` with `instances` drawn over it, scaled to fit a `side` x `side` square."""
    canvas = to_qimage(image).convertToFormat(QImage.Format.Format_ARGB32)
    height, width = image.shape[:2]
    scale = side / max(width, height)
    pixmap = QPixmap.fromImage(canvas).scaled(round(width * scale), round(height * scale),
                                              Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)  # fmt: skip
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for n, instance in enumerate(instances):
        colour = QColor(colour_for(n))
        mask = _mask_array(instance.get("mask"))
        if mask is not None and mask.shape == (height, width):
            overlay = np.zeros((height, width, 4), np.uint8)
            overlay[mask] = (colour.blue(), colour.green(), colour.red(), 110)  # ARGB32 is BGRA in memory
            layer = QImage(overlay.data, width, height, 4 * width, QImage.Format.Format_ARGB32)
            painter.drawImage(QRectF(0, 0, width * scale, height * scale), layer)
        pen = QPen(colour, 1.5)
        if predicted:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        box = instance.get("box")
        if box is not None:
            x1, y1, x2, y2 = (float(v) * scale for v in box)
            painter.drawRect(QRectF(x1, y1, x2 - x1, y2 - y1))
            caption = instance.get("label") or ""
            if instance.get("score") is not None:
                caption = f"{caption} {float(instance['score']):.2f}".strip()
            if caption:
                painter.drawText(QPointF(x1 + 2, max(y1 - 3, 10)), caption)
        keypoints = instance.get("keypoints")
        if keypoints:
            points = [(float(x) * scale, float(y) * scale, float(v)) for x, y, v in keypoints]
            for a, b in instance.get("edges") or ():
                if a < len(points) and b < len(points) and points[a][2] > 0 and points[b][2] > 0:
                    painter.drawLine(QPointF(*points[a][:2]), QPointF(*points[b][:2]))
            painter.setBrush(colour)
            for x, y, v in points:
                if v > 0:
                    painter.drawEllipse(QPointF(x, y), 2.5, 2.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.end()
    return pixmap


class _Thumbnail(QLabel):
    """One thumbnail; a click opens it large enough to judge a prediction node by node."""

    def __init__(self, image: np.ndarray, instances: list[dict[str, Any]], side: int, predicted: bool) -> None:
        super().__init__()
        self.image, self.instances, self.predicted = image, instances, predicted
        self.setPixmap(annotated_pixmap(image, instances, side, predicted))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.enlarged: QDialog | None = None

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self.enlarged = QDialog(self.window())
        self.enlarged.setWindowTitle(self.toolTip() or "Validation frame")
        view = QLabel()
        view.setObjectName("enlarged_preview")
        view.setPixmap(annotated_pixmap(self.image, self.instances, ENLARGED_SIDE, self.predicted))
        QVBoxLayout(self.enlarged).addWidget(view)
        self.enlarged.open()


class ThumbnailGrid(QWidget):
    """A grid of annotated thumbnails (a click enlarges one); `show_samples` replaces them,
    `show_message` says why there are none."""

    def __init__(self, columns: int = 3, side: int = 180, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns, self.side = columns, side
        self.layout_ = QGridLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.labels: list[QLabel] = []
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layout_.addWidget(self.message, 0, 0, 1, columns)

    def show_message(self, text: str) -> None:
        self._clear()
        self.message.setText(text)
        self.message.show()

    def show_samples(self, samples: list[tuple[np.ndarray, list[dict[str, Any]]]], predicted: bool = False,
                     captions: list[str] | None = None) -> None:  # fmt: skip
        self._clear()
        self.message.hide()
        for n, (image, instances) in enumerate(samples):
            label = _Thumbnail(image, instances, self.side, predicted)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            if captions:
                label.setToolTip(captions[n])
            self.layout_.addWidget(label, 1 + n // self.columns, n % self.columns)
            self.labels.append(label)

    def _clear(self) -> None:
        for label in self.labels:
            self.layout_.removeWidget(label)
            label.deleteLater()
        self.labels = []
