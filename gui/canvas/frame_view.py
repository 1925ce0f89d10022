"""The frame with its annotations: a zoomable, pannable QGraphicsView. It only draws what
`show_frame` and `show_instances` are given; the main window decides what that is.

Mouse and keys go first to the active canvas tool (`set_tool`), in frame coordinates; what the
tool leaves is the view's: the wheel zooms; the middle button, Space+left-drag, or a left-drag
the tool did not take (on empty frame with the select tool) pans. A key the tool claims with
`wants_key` wins over a window shortcut bound to it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QMouseEvent, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView

from core.domain import Instance, Skeleton
from core.domain.palette import colour_for
from gui.canvas.instance_item import InstanceItem
from gui.canvas.tools.base import CanvasTool, ToolEvent
from gui.canvas.tools.overlay import OverlayItem


def frame_to_pixmap(frame: np.ndarray) -> QPixmap:
    """An (H, W, 3) uint8 RGB array as a pixmap (copied: Qt must not keep numpy's memory)."""
    frame = np.ascontiguousarray(frame)
    height, width = frame.shape[:2]
    image = QImage(frame.data, width, height, width * 3, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())


class FrameView(QGraphicsView):
    tool_changed = Signal(object)  # the CanvasTool now active, or None

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(Qt.GlobalColor.black)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)  # hover feedback and rubber bands need moves without a button
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._pixmap)
        self.overlay = OverlayItem()
        self.scene().addItem(self.overlay)
        self.instance_items: list[InstanceItem] = []
        self._fitted = False
        self.show_predictions = True
        self.score_threshold = 0.0  # predictions scoring under it are not drawn (unscored ones are)
        self.node_thresholds: dict[int, float] = {}  # model id -> node threshold: weaker nodes drawn dimmed
        self._tool: CanvasTool | None = None
        self._pan_from: QPoint | None = None
        self._space_down = False

    # --- content ----------------------------------------------------------------------------------

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
        colours; an instance takes its track's colour, else its class's, else the palette's.
        A drag in progress is dropped: what it was moving may have changed (an undo meanwhile)."""
        if self._tool is not None:
            self._tool.drop_drag()
        for item in self.instance_items:
            self.scene().removeItem(item)
        self.instance_items = []
        for n, instance in enumerate(instances):
            if instance.is_predicted and not self.show_predictions:
                continue
            if instance.is_predicted and instance.score is not None and instance.score < self.score_threshold:
                continue
            color = (
                colors.get("track", {}).get(instance.track_id)
                or colors.get("class", {}).get(instance.class_id)
                or colour_for(n)
            )
            skeleton = skeletons.get(instance.skeleton_id) if instance.skeleton_id is not None else None
            node_threshold = self.node_thresholds.get(instance.model_id) if instance.model_id is not None else None
            item = InstanceItem(instance, color, skeleton, selected=instance.id == selected, node_threshold=node_threshold)
            item.setZValue(2 if instance.id == selected else 1)
            self.scene().addItem(item)
            self.instance_items.append(item)

    def preview(self, instance: Instance) -> None:
        """Draw `instance` in place of the one with its id, as a drag moves it (not stored)."""
        for item in self.instance_items:
            if item.instance.id == instance.id:
                item.set_instance(instance)

    def set_selected(self, instance_id: int | None) -> None:
        """Highlight another instance without rebuilding the items (selection changes often)."""
        for item in self.instance_items:
            item.set_selected(item.instance.id == instance_id)
            item.setZValue(2 if item.selected else 1)

    def frame_size(self) -> tuple[int, int] | None:
        """(height, width) of the frame shown, or None before the first frame."""
        pixmap = self._pixmap.pixmap()
        return None if pixmap.isNull() else (pixmap.height(), pixmap.width())

    def fit(self) -> None:
        if not self._pixmap.pixmap().isNull():
            self.fitInView(self._pixmap, Qt.AspectRatioMode.KeepAspectRatio)
            self._fitted = True

    # --- tools ------------------------------------------------------------------------------------

    @property
    def tool(self) -> CanvasTool | None:
        return self._tool

    def set_tool(self, tool: CanvasTool | None) -> None:
        """Make `tool` receive the mouse and keys (None: the view only pans and zooms)."""
        if tool is self._tool:
            return
        if self._tool is not None:
            self._tool.deactivate()
        self._tool = tool
        self.overlay.clear()
        if tool is not None:
            tool.activate(self)
        else:
            self.viewport().unsetCursor()
        self.tool_changed.emit(tool)

    def to_frame(self, position: QPointF) -> QPointF:
        """A viewport position (float, as mouse events give it) in frame pixel coordinates."""
        inverse, _ = self.viewportTransform().inverted()
        return inverse.map(position)

    def _tool_event(self, event: QMouseEvent) -> ToolEvent:
        point = self.to_frame(event.position())
        return ToolEvent(
            point.x(), point.y(), event.button(), event.buttons(), event.modifiers(),
            pixel=1.0 / max(self.transform().m11(), 1e-9),
        )  # fmt: skip

    # --- events: tool first, then pan and zoom ----------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        left = event.button() == Qt.MouseButton.LeftButton
        if event.button() == Qt.MouseButton.MiddleButton or (left and self._space_down):
            self._start_pan(event)
            return
        if self._tool is not None and self._tool.mouse_press(self._tool_event(event)):
            event.accept()
            return
        if left:
            self._start_pan(event)
            return
        super().mousePressEvent(event)

    def _start_pan(self, event: QMouseEvent) -> None:
        self._pan_from = event.position().toPoint()
        self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            here = event.position().toPoint()
            delta = here - self._pan_from
            self._pan_from = here
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        if self._tool is not None and self._tool.mouse_move(self._tool_event(event)):
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self._restore_cursor()
            event.accept()
            return
        if self._tool is not None and self._tool.mouse_release(self._tool_event(event)):
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._tool is not None and self._tool.mouse_double_click(self._tool_event(event)):
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._tool is not None:
            if self._tool.wants_key(event.key(), event.modifiers()):
                event.accept()  # delivered to keyPressEvent instead of the window's shortcut
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.modifiers():
            if not event.isAutoRepeat():
                self._space_down = True
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if self._tool is not None and self._tool.key_press(event.key(), event.modifiers()):
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self._restore_cursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:
        self._space_down = False  # a Space released in another widget never reaches us
        super().focusOutEvent(event)

    def leaveEvent(self, event) -> None:
        if self._pan_from is None and self._tool is not None:
            self._tool.mouse_left()
        super().leaveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.scale(factor, factor)

    def _restore_cursor(self) -> None:
        if self._space_down:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        elif self._tool is not None:
            self.viewport().setCursor(self._tool.cursor)
        else:
            self.viewport().unsetCursor()
