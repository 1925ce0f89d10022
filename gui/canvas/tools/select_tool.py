"""The default tool: select, move and reshape what is already on the frame.

Click selects; a drag moves a box, resizes it by a handle, or drags a polygon vertex or a
keypoint node, as one edit: while the button is down the canvas item shows where it goes and
nothing is written; the release writes it in one transaction (one undo step), so a crash
mid-drag loses only that drag, and views refresh once per drag, not per mouse move. Right-click on a node toggles visible/occluded, as in SLEAP;
double-click on a polygon edge inserts a vertex; Alt- or Shift-click on a vertex deletes it;
Delete removes the selected instance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import Qt

from core.domain import Instance
from core.edits import (
    DeleteInstance,
    Edit,
    delete_polygon_vertex,
    insert_polygon_vertex,
    move_keypoint,
    move_polygon_vertex,
    set_box,
    toggle_keypoint_visibility,
)
from core.project import ProjectError
from gui.canvas.tools.base import DRAG_START_PX, PICK_PX, CanvasTool, ToolEvent, new_gesture
from gui.canvas.tools.hit_test import Hit, box_handles, hit_test, resized_box
from gui.canvas.tools.overlay import HANDLE_PX, Shape, shape

HOVER_COLOR = "#ffffff"
_CURSORS = {
    "tl": Qt.CursorShape.SizeFDiagCursor, "br": Qt.CursorShape.SizeFDiagCursor,
    "tr": Qt.CursorShape.SizeBDiagCursor, "bl": Qt.CursorShape.SizeBDiagCursor,
    "t": Qt.CursorShape.SizeVerCursor, "b": Qt.CursorShape.SizeVerCursor,
    "l": Qt.CursorShape.SizeHorCursor, "r": Qt.CursorShape.SizeHorCursor,
}  # fmt: skip


@dataclass
class Drag:
    """One press-drag-release on something draggable; `original` is the instance at the press."""

    hit: Hit
    start: tuple[float, float]
    original: Instance
    gesture: tuple
    moved: bool = False
    pending: Edit | None = None  # what the release writes: the edit to where the cursor is


def drag_to(tool: CanvasTool, drag: Drag, x: float, y: float) -> None:
    """Show `drag` holding its part at (x, y), writing nothing (the release writes it)."""
    try:
        edit = drag_edit(tool.context.project, drag, x, y, tool.context.frame_size)
    except ProjectError as error:
        tool.set_status(str(error))
        return
    if edit is None:
        return
    drag.pending = edit
    if tool.view is not None:
        tool.view.preview(replace(drag.original, **edit.after))


def finish_drag(tool: CanvasTool, drag: Drag) -> Edit | None:
    """Write where the drag ended: one edit, one undo step (None when it never moved)."""
    return tool.push(lambda: drag.pending) if drag.pending is not None else None


def drag_edit(project, drag: Drag, x: float, y: float, frame_size: tuple[int, int] | None) -> Edit | None:
    """The edit that puts what `drag` holds under the cursor at (x, y), or None (not draggable)."""
    hit, original = drag.hit, drag.original
    if hit.kind == "node":
        return move_keypoint(project, hit.instance_id, hit.index, x, y, gesture=drag.gesture)
    if hit.kind == "vertex":
        return move_polygon_vertex(project, hit.instance_id, hit.polygon, hit.index, x, y, gesture=drag.gesture)
    if hit.kind == "handle" and original.box is not None:
        return set_box(project, hit.instance_id, resized_box(original.box, hit.handle, x, y), gesture=drag.gesture)
    if hit.kind == "box" and original.box is not None:
        box = original.box.normalized()
        dx, dy = x - drag.start[0], y - drag.start[1]
        if frame_size is not None:  # the whole box stays on the frame
            height, width = frame_size
            dx = min(max(dx, -box.x1), width - box.x2)
            dy = min(max(dy, -box.y1), height - box.y2)
        return set_box(project, hit.instance_id, box.translated(dx, dy), gesture=drag.gesture)
    return None


class SelectTool(CanvasTool):
    id = "select"
    name = "Select"

    def __init__(self, context) -> None:
        super().__init__(context)
        self.drag: Drag | None = None

    def hit(self, event: ToolEvent, **options) -> Hit | None:
        return hit_test(
            self.shown_instances(), event.x, event.y,
            tolerance=PICK_PX * event.pixel, selected=self.context.state.selected_instance, **options,
        )  # fmt: skip

    # --- mouse --------------------------------------------------------------------------------------

    def mouse_press(self, event: ToolEvent) -> bool:
        hit = self.hit(event)
        if event.button == Qt.MouseButton.RightButton:
            if hit is None or hit.kind != "node":
                return False
            self.context.state.select(hit.instance_id)
            self.push(lambda: toggle_keypoint_visibility(self.context.project, hit.instance_id, hit.index))
            return True
        if event.button != Qt.MouseButton.LeftButton:
            return False
        if hit is None:
            self.context.state.select(None)
            return False  # the view pans on a drag of empty frame
        if hit.kind == "vertex" and event.has(Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier):
            self.context.state.select(hit.instance_id)
            self.push(lambda: delete_polygon_vertex(self.context.project, hit.instance_id, hit.polygon, hit.index))
            return True
        self.context.state.select(hit.instance_id)
        try:
            original = self.context.project.instances.get(hit.instance_id)
        except ProjectError:
            return True
        self.drag = Drag(hit, self.clamp(event.x, event.y), original, new_gesture(f"select-{hit.kind}"))
        return True

    def mouse_move(self, event: ToolEvent) -> bool:
        if self.drag is None or not event.buttons & Qt.MouseButton.LeftButton:
            self.drag = None
            self._hover(event)
            return False
        drag = self.drag
        x, y = self.clamp(event.x, event.y)
        if not drag.moved and max(abs(x - drag.start[0]), abs(y - drag.start[1])) < DRAG_START_PX * event.pixel:
            return True
        drag.moved = True
        drag_to(self, drag, x, y)
        return True

    def mouse_release(self, event: ToolEvent) -> bool:
        if self.drag is None:
            return False
        drag, self.drag = self.drag, None
        finish_drag(self, drag)
        self._hover(event)
        return True

    def drop_drag(self) -> None:
        self.drag = None

    def mouse_double_click(self, event: ToolEvent) -> bool:
        hit = self.hit(event, kinds=frozenset({"edge"}))
        if hit is None or hit.point is None:
            return False
        x, y = self.clamp(*hit.point)
        self.context.state.select(hit.instance_id)
        self.push(lambda: insert_polygon_vertex(self.context.project, hit.instance_id, hit.polygon, hit.index, x, y))
        return True

    def mouse_left(self) -> None:
        if self.view is not None and self.drag is None:
            self.view.overlay.clear()

    def cancel(self) -> None:
        self.drag = None

    # --- keys ---------------------------------------------------------------------------------------

    def key_press(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            return self.delete_selected()
        if key == Qt.Key.Key_Escape and self.context.state.selected_instance is not None:
            self.context.state.select(None)
            return True
        return False

    def delete_selected(self) -> bool:
        """Delete the selected instance (one undo step); False when nothing is selected."""
        instance = self.selected_instance()
        if instance is None:
            return False
        if self.push(lambda: DeleteInstance(instance.id)) is not None:
            self.context.state.select(None)
        return True

    # --- hover feedback ----------------------------------------------------------------------------

    def _hover(self, event: ToolEvent) -> None:
        if self.view is None:
            return
        hit = self.hit(event)
        self.view.viewport().setCursor(self._cursor_for(hit))
        self.view.overlay.set_shapes(self._hover_shapes(hit))

    def _cursor_for(self, hit: Hit | None) -> Qt.CursorShape:
        if hit is None:
            return self.cursor
        if hit.kind == "handle":
            return _CURSORS[hit.handle]
        if hit.kind in ("node", "vertex"):
            return Qt.CursorShape.PointingHandCursor
        if hit.kind == "box" and hit.instance_id == self.context.state.selected_instance:
            return Qt.CursorShape.SizeAllCursor
        return self.cursor

    def _hover_shapes(self, hit: Hit | None) -> list[Shape]:
        if hit is None:
            return []
        instance = next((i for i in self.shown_instances() if i.id == hit.instance_id), None)
        if instance is None:
            return []
        if hit.kind == "node":
            return [shape("node", instance.keypoints[hit.index, :2], color=HOVER_COLOR, size=7)]
        if hit.kind == "vertex":
            return [shape("handle", instance.polygons[hit.polygon][hit.index], color=HOVER_COLOR, size=HANDLE_PX + 2)]
        if hit.kind == "handle":
            return [shape("handle", box_handles(instance.box)[hit.handle], color=HOVER_COLOR, size=HANDLE_PX + 2)]
        if hit.kind == "edge" and hit.point is not None:
            return [shape("node", hit.point, color=HOVER_COLOR, size=3)]  # where a double-click inserts
        if hit.kind == "box" and instance.box is not None:
            b = instance.box
            return [shape("rect", [(b.x1, b.y1), (b.x2, b.y2)], color=HOVER_COLOR, dashed=True)]
        if hit.kind == "polygon":
            return [shape("polygon", instance.polygons[hit.polygon], color=HOVER_COLOR, dashed=True)]
        return []

