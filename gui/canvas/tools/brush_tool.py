"""Paint and erase raster masks with a round brush, as CVAT's and napari's brushes do.

Left button paints, right button erases (E switches the left button to erasing); [ and ]
shrink and grow the brush. The stroke is previewed while dragging and saved on release as
one edit (`core.edits.paint_mask`) on the selected instance's mask, or as a new instance with
that mask when nothing is selected.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt

from core.domain import Rle
from core.edits import AddInstance, paint_mask
from core.geometry.masks import paint_stroke
from gui.canvas.tools.base import CanvasTool, ToolEvent
from gui.canvas.tools.overlay import shape

PAINT_COLOR = "#ffff00"
ERASE_COLOR = "#ff3030"
MIN_RADIUS, MAX_RADIUS, STEP = 1.0, 400.0, 1.25


class BrushTool(CanvasTool):
    id = "brush"
    name = "Brush"
    cursor = Qt.CursorShape.BlankCursor  # the brush outline is the cursor

    def __init__(self, context, radius: float = 8.0) -> None:
        super().__init__(context)
        self.radius = radius  # frame pixels
        self.eraser = False
        self.stroke: list[tuple[float, float]] = []
        self._erasing = False
        self._cursor_at: tuple[float, float] | None = None

    def activate(self, view) -> None:
        super().activate(view)
        self._update_status()

    # --- mouse --------------------------------------------------------------------------------------

    def mouse_press(self, event: ToolEvent) -> bool:
        if event.button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return False
        if self.context.state.video_id is None:
            return False
        self._erasing = self.eraser or event.button == Qt.MouseButton.RightButton
        self.stroke = [(event.x, event.y)]
        self._cursor_at = (event.x, event.y)
        self._draw()
        return True

    def mouse_move(self, event: ToolEvent) -> bool:
        self._cursor_at = (event.x, event.y)
        if self.stroke:
            last = self.stroke[-1]
            if math.hypot(event.x - last[0], event.y - last[1]) >= max(0.5, self.radius / 4):
                self.stroke.append((event.x, event.y))
        self._draw()
        return bool(self.stroke)

    def mouse_release(self, event: ToolEvent) -> bool:
        if not self.stroke:
            return False
        self.stroke.append((event.x, event.y))
        points, erase = np.array(self.stroke, dtype=np.float64), self._erasing
        self.stroke = []
        self.commit(points, erase)
        self._draw()
        return True

    def mouse_left(self) -> None:
        self._cursor_at = None
        self._draw()

    def cancel(self) -> None:
        self.stroke = []

    # --- keys ---------------------------------------------------------------------------------------

    def wants_key(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        plain = not modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        return plain and key in (Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight, Qt.Key.Key_E)

    def key_press(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        if not self.wants_key(key, modifiers) and key != Qt.Key.Key_Escape:
            return False
        if key == Qt.Key.Key_BracketLeft:
            self.radius = max(MIN_RADIUS, self.radius / STEP)
        elif key == Qt.Key.Key_BracketRight:
            self.radius = min(MAX_RADIUS, self.radius * STEP)
        elif key == Qt.Key.Key_E:
            self.eraser = not self.eraser
        elif key == Qt.Key.Key_Escape and self.stroke:
            self.cancel()
        else:
            return False
        self._update_status()
        self._draw()
        return True

    # --- the stroke ---------------------------------------------------------------------------------

    def commit(self, points: np.ndarray, erase: bool) -> None:
        """Save one stroke through `points` (n, 2) on the selected instance, or on a new one."""
        context, state = self.context, self.context.state
        size = context.frame_size
        selected = self.selected_instance()
        if selected is not None:
            self.push(lambda: paint_mask(context.project, selected.id, points, self.radius, erase, frame_size=size))
            return
        if erase or size is None:
            return  # erasing nothing leaves nothing
        mask = paint_stroke(np.zeros(size, dtype=bool), points, self.radius)
        instance = self.context.new_instance(mask=Rle.from_array(mask))
        edit = self.push(lambda: AddInstance(instance, text="Paint mask"))
        if edit is not None:
            state.select(edit.instance.id)

    def _update_status(self) -> None:
        mode = "erasing" if self.eraser else "painting (right button erases)"
        self.set_status(f"Brush {self.radius:.0f} px, {mode}; [ ] resize, E toggles the eraser")

    def _draw(self) -> None:
        if self.view is None:
            return
        color = ERASE_COLOR if (self._erasing if self.stroke else self.eraser) else PAINT_COLOR
        shapes = []
        if self.stroke:
            shapes.append(shape("stroke", self.stroke, color=color, size=self.radius))
        if self._cursor_at is not None:
            shapes.append(shape("circle", self._cursor_at, color=color, size=self.radius))
        self.view.overlay.set_shapes(shapes)
