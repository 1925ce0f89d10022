"""Draw a box: press, drag, release. The box becomes a new instance of the current class and
track, selected so the next keystroke can act on it. A drag under 3 screen pixels is a stray
click, not a box."""

from __future__ import annotations

from PySide6.QtCore import Qt

from core.domain import Box
from core.edits import AddInstance
from gui.canvas.tools.base import CanvasTool, ToolEvent
from gui.canvas.tools.overlay import shape

MIN_DRAG_PX = 3.0
PREVIEW_COLOR = "#ffff00"


class BoxTool(CanvasTool):
    id = "box"
    name = "Box"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, context) -> None:
        super().__init__(context)
        self.start: tuple[float, float] | None = None

    def mouse_press(self, event: ToolEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton or self.context.state.video_id is None:
            return False
        self.start = self.clamp(event.x, event.y)
        return True

    def mouse_move(self, event: ToolEvent) -> bool:
        if self.view is None:
            return False
        end = self.clamp(event.x, event.y)
        if self.start is None:
            self.view.overlay.set_shapes(self._crosshair(end))
            return False
        self.view.overlay.set_shapes([shape("rect", [self.start, end], color=PREVIEW_COLOR, filled=True)])
        return True

    def mouse_release(self, event: ToolEvent) -> bool:
        if self.start is None or event.button != Qt.MouseButton.LeftButton:
            return False
        (x1, y1), (x2, y2) = self.start, self.clamp(event.x, event.y)
        self.start = None
        if self.view is not None:
            self.view.overlay.clear()
        if max(abs(x2 - x1), abs(y2 - y1)) < MIN_DRAG_PX * event.pixel or min(abs(x2 - x1), abs(y2 - y1)) <= 0:
            return True
        state = self.context.state
        instance = self.context.new_instance(box=Box(x1, y1, x2, y2).normalized())
        edit = self.push(lambda: AddInstance(instance))
        if edit is not None:
            state.select(edit.instance.id)
        return True

    def cancel(self) -> None:
        self.start = None

    def wants_key(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        return key == Qt.Key.Key_Escape and self.start is not None

    def key_press(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        if key == Qt.Key.Key_Escape and self.start is not None:
            self.start = None
            if self.view is not None:
                self.view.overlay.clear()
            return True
        return False

    def mouse_left(self) -> None:
        if self.view is not None and self.start is None:
            self.view.overlay.clear()

    def _crosshair(self, point: tuple[float, float]):
        """Full-frame guide lines through the cursor: where the box's corner will land."""
        size = self.context.frame_size
        if size is None:
            return []
        height, width = size
        x, y = point
        return [
            shape("polyline", [(0, y), (width, y)], color=PREVIEW_COLOR, dashed=True),
            shape("polyline", [(x, 0), (x, height)], color=PREVIEW_COLOR, dashed=True),
        ]
