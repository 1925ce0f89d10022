"""Draw a polygon vertex by vertex, as labelme and CVAT do: each click adds a vertex, a rubber
band follows the cursor, and a click on the first vertex, a double-click or Enter closes it.
Closed, it becomes a new instance, or with Shift held one more polygon of the selected instance.
Escape cancels; Backspace takes back the last vertex."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt

from core.edits import AddInstance, add_polygon
from gui.canvas.tools.base import PICK_PX, CanvasTool, ToolEvent
from gui.canvas.tools.overlay import HANDLE_PX, Shape, shape

PREVIEW_COLOR = "#ffff00"
CLOSE_COLOR = "#00ff88"


class PolygonTool(CanvasTool):
    id = "polygon"
    name = "Polygon"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, context) -> None:
        super().__init__(context)
        self.points: list[tuple[float, float]] = []
        self._cursor_at: tuple[float, float] | None = None
        self._pixel = 1.0

    # --- mouse --------------------------------------------------------------------------------------

    def mouse_press(self, event: ToolEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton or self.context.state.video_id is None:
            return False
        self._pixel = event.pixel
        point = self.clamp(event.x, event.y)
        if len(self.points) >= 3 and self._near_first(point):
            self.finish(add_to_selected=event.has(Qt.KeyboardModifier.ShiftModifier))
            return True
        if not self.points or self._distance(point, self.points[-1]) > 0.5 * event.pixel:
            self.points.append(point)
        self._cursor_at = point
        self._draw()
        return True

    def mouse_move(self, event: ToolEvent) -> bool:
        self._pixel = event.pixel
        self._cursor_at = self.clamp(event.x, event.y)
        self._draw()
        return bool(self.points)

    def mouse_release(self, event: ToolEvent) -> bool:
        return bool(self.points) and event.button == Qt.MouseButton.LeftButton

    def mouse_double_click(self, event: ToolEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton or not self.points:
            return False
        # The press just before this double-click already placed the vertex under the cursor.
        self.finish(add_to_selected=event.has(Qt.KeyboardModifier.ShiftModifier))
        return True

    def mouse_left(self) -> None:
        self._cursor_at = None
        self._draw()

    # --- keys ---------------------------------------------------------------------------------------

    def wants_key(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        keys = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Backspace)
        return bool(self.points) and key in keys and not modifiers & Qt.KeyboardModifier.ControlModifier

    def key_press(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        if not self.points:
            return False
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish(add_to_selected=bool(modifiers & Qt.KeyboardModifier.ShiftModifier))
        elif key == Qt.Key.Key_Escape:
            self.cancel()
        elif key == Qt.Key.Key_Backspace:
            self.points.pop()
            self._draw()
        else:
            return False
        return True

    # --- the polygon ---------------------------------------------------------------------------------

    def finish(self, add_to_selected: bool = False) -> None:
        """Close the polygon drawn so far and save it; under 3 vertices it is only dropped."""
        points = np.array(self.points, dtype=np.float64)
        self.cancel()
        if len(points) < 3:
            self.set_status("A polygon needs at least 3 vertices")
            return
        selected = self.selected_instance() if add_to_selected else None
        if selected is not None:
            self.push(lambda: add_polygon(self.context.project, selected.id, points))
            return
        state = self.context.state
        instance = self.context.new_instance(polygons=(points,))
        edit = self.push(lambda: AddInstance(instance))
        if edit is not None:
            state.select(edit.instance.id)

    def cancel(self) -> None:
        self.points = []
        self._draw()

    def _near_first(self, point: tuple[float, float]) -> bool:
        return self._distance(point, self.points[0]) <= PICK_PX * self._pixel

    @staticmethod
    def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
        return math.hypot(a[0] - b[0], a[1] - b[1])

    def _draw(self) -> None:
        if self.view is None:
            return
        shapes: list[Shape] = []
        if self.points:
            closing = self._cursor_at is not None and len(self.points) >= 3 and self._near_first(self._cursor_at)
            path = self.points + ([self._cursor_at] if self._cursor_at is not None else [])
            shapes.append(shape("polygon" if closing else "polyline", path, color=PREVIEW_COLOR, filled=closing))
            if not closing and self._cursor_at is not None and len(self.points) >= 2:
                shapes.append(shape("polyline", [self._cursor_at, self.points[0]], color=PREVIEW_COLOR, dashed=True))
            shapes.append(shape("handle", self.points[1:], color=PREVIEW_COLOR, size=HANDLE_PX - 2))
            first_color = CLOSE_COLOR if closing else PREVIEW_COLOR
            shapes.append(shape("handle", self.points[0], color=first_color, size=HANDLE_PX + (4 if closing else 0)))
        self.view.overlay.set_shapes(shapes)
