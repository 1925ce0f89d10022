"""Place a skeleton's nodes in order, click by click, as SLEAP and DeepLabCut label poses.

The first click starts a new instance of the current skeleton (or continues the selected one,
if it has that skeleton); each click places the next unlabelled node, a right-click skips it
(it stays unlabelled), and the status says which node is next. Existing nodes can be dragged.
`drop_template()` places a whole instance at once (the mean pose of the project's labels) for
the user to adjust.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from core.domain import Instance, Skeleton, Visibility
from core.edits import AddInstance, move_keypoint
from core.project import ProjectError
from gui.canvas.tools.base import PICK_PX, CanvasTool, ToolEvent, new_gesture
from gui.canvas.tools.hit_test import hit_test
from gui.canvas.tools.overlay import Shape, shape
from gui.canvas.tools.select_tool import Drag, drag_to, finish_drag
from gui.canvas.tools.template import skeleton_poses, template_keypoints

NEXT_COLOR = "#ffff00"


class KeypointTool(CanvasTool):
    id = "keypoint"
    name = "Keypoints"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, context) -> None:
        super().__init__(context)
        self.target: int | None = None  # the instance receiving nodes
        self.next_node = 0
        self.drag: Drag | None = None
        self.placing: tuple | None = None  # the gesture of placing `placing_for`'s nodes: one undo step
        self.placing_for: int | None = None
        self._cursor_at: tuple[float, float] | None = None

    def activate(self, view) -> None:
        super().activate(view)
        self.context.state.selection_changed.connect(self._selection_changed)
        self._follow_selection()

    def deactivate(self) -> None:
        self.context.state.selection_changed.disconnect(self._selection_changed)
        super().deactivate()

    def skeleton(self) -> Skeleton | None:
        if self.context.skeleton_id is None:
            return None
        try:
            return self.context.project.skeletons.get(self.context.skeleton_id)
        except ProjectError:
            return None

    # --- mouse --------------------------------------------------------------------------------------

    def mouse_press(self, event: ToolEvent) -> bool:
        if self.context.state.video_id is None:
            return False
        if event.button == Qt.MouseButton.RightButton:
            self.skip()
            return True
        if event.button != Qt.MouseButton.LeftButton:
            return False
        hit = hit_test(
            self.shown_instances(), event.x, event.y, tolerance=PICK_PX * event.pixel,
            selected=self.context.state.selected_instance, kinds=frozenset({"node"}),
        )  # fmt: skip
        if hit is not None:  # grab a node already placed, to correct it
            try:
                original = self.context.project.instances.get(hit.instance_id)
            except ProjectError:
                return True
            self.drag = Drag(hit, (event.x, event.y), original, new_gesture("keypoint-node"))
            return True
        self.place(*self.clamp(event.x, event.y))
        return True

    def mouse_move(self, event: ToolEvent) -> bool:
        self._cursor_at = self.clamp(event.x, event.y)
        if self.drag is not None and event.buttons & Qt.MouseButton.LeftButton:
            drag, (x, y) = self.drag, self._cursor_at
            drag.moved = True
            drag_to(self, drag, x, y)
            return True
        self._draw()
        return False

    def mouse_release(self, event: ToolEvent) -> bool:
        if self.drag is None:
            return False
        drag, self.drag = self.drag, None
        finish_drag(self, drag)
        self._draw()
        return True

    def drop_drag(self) -> None:
        self.drag = None

    def mouse_left(self) -> None:
        self._cursor_at = None
        self._draw()

    def wants_key(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        return key == Qt.Key.Key_Escape and self.target is not None

    def key_press(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        if key == Qt.Key.Key_Escape and self.target is not None:
            self.finish()
            return True
        return False

    def cancel(self) -> None:
        self.drag = None
        self.target, self.next_node = None, 0

    # --- placing nodes --------------------------------------------------------------------------------

    def place(self, x: float, y: float) -> None:
        """Put the next node at (x, y): on the target instance, or on a new one."""
        skeleton = self.skeleton()
        if skeleton is None:
            self.set_status("Choose a skeleton before placing keypoints")
            return
        target = self._target_instance()
        node = self.next_node
        if target is None:
            keypoints = np.zeros((len(skeleton.nodes), 3), dtype=np.float32)
            keypoints[node] = (x, y, Visibility.VISIBLE)
            state = self.context.state
            instance = self.context.new_instance(skeleton_id=skeleton.id, keypoints=keypoints)
            self.placing = new_gesture("place-skeleton")  # every node of this instance: one undo step
            edit = self.push(lambda: AddInstance(instance, text="Add keypoints", gesture=self.placing))
            if edit is None:
                return
            self.target = self.placing_for = edit.instance.id
            state.select(edit.instance.id)
            self._advance(edit.instance.keypoints, node)
        else:
            if target.id != self.placing_for:  # nodes added to an instance made earlier: their own step
                self.placing, self.placing_for = new_gesture("place-skeleton"), target.id
            edit = self.push(lambda: move_keypoint(self.context.project, target.id, node, x, y, gesture=self.placing))
            if edit is not None:
                self._advance(edit.after["keypoints"], node)

    def skip(self) -> None:
        """Leave the next node unlabelled and move on to the one after."""
        skeleton = self.skeleton()
        if skeleton is None:
            return
        target = self._target_instance()
        keypoints = target.keypoints if target is not None and target.keypoints is not None else None
        self._advance(keypoints if keypoints is not None else np.zeros((len(skeleton.nodes), 3)), self.next_node)

    def finish(self) -> None:
        """The next click starts a new instance."""
        self.target, self.next_node = None, 0
        self._update_status()
        self._draw()

    def drop_template(self, center: tuple[float, float] | None = None) -> Instance | None:
        """A whole instance of the current skeleton at `center` (the cursor, else the view's
        centre): the mean pose of the project's labels, or a spread layout. One undo step."""
        skeleton, size = self.skeleton(), self.context.frame_size
        if skeleton is None or size is None or self.context.state.video_id is None:
            self.set_status("Choose a skeleton (and a video) before dropping a template")
            return None
        if center is None:
            center = self._cursor_at or self._view_center() or (size[1] / 2, size[0] / 2)
        poses = skeleton_poses(self.context.project, skeleton.id)
        keypoints = template_keypoints(poses, len(skeleton.nodes), self.clamp(*center), spread=min(size) / 10)
        keypoints[:, 0] = np.clip(keypoints[:, 0], 0, size[1])
        keypoints[:, 1] = np.clip(keypoints[:, 1], 0, size[0])
        state = self.context.state
        instance = self.context.new_instance(skeleton_id=skeleton.id, keypoints=keypoints)
        edit = self.push(lambda: AddInstance(instance, text="Add skeleton template"))
        if edit is None:
            return None
        self.finish()
        state.select(edit.instance.id)
        return edit.instance

    # --- bookkeeping --------------------------------------------------------------------------------

    def _target_instance(self) -> Instance | None:
        if self.target is None:
            return None
        instance = self.selected_instance() if self.context.state.selected_instance == self.target else None
        if instance is None or instance.skeleton_id != self.context.skeleton_id:
            self.target = None
            return None
        return instance

    def _advance(self, keypoints: np.ndarray, after: int) -> None:
        """Make the next node the first unlabelled one after `after`; none left: finish."""
        remaining = [n for n in range(after + 1, len(keypoints)) if keypoints[n, 2] == Visibility.UNLABELLED]
        if not remaining:
            self.set_status("All nodes placed; click to start the next instance")
            self.target, self.next_node = None, 0
            self._draw()
            return
        self.next_node = remaining[0]
        self._update_status()
        self._draw()

    def _selection_changed(self, instance_id: int | None) -> None:
        if instance_id != self.target:  # not the instance this tool just made
            self._follow_selection()

    def _follow_selection(self) -> None:
        """Continue the selected instance if it has the current skeleton; else start afresh."""
        instance = self.selected_instance()
        skeleton = self.skeleton()
        if instance is None or skeleton is None or instance.skeleton_id != skeleton.id:
            self.finish()
            return
        keypoints = instance.keypoints if instance.keypoints is not None else np.zeros((len(skeleton.nodes), 3))
        unlabelled = [n for n in range(len(keypoints)) if keypoints[n, 2] == Visibility.UNLABELLED]
        self.target, self.next_node = (instance.id, unlabelled[0]) if unlabelled else (None, 0)
        self._update_status()
        self._draw()

    def _update_status(self) -> None:
        skeleton = self.skeleton()
        if skeleton is None:
            self.set_status("Choose a skeleton to place keypoints")
            return
        if self.next_node >= len(skeleton.nodes):  # the current skeleton changed under us
            self.target, self.next_node = None, 0
        name = skeleton.nodes[self.next_node]
        self.set_status(f"Click to place '{name}' ({self.next_node + 1}/{len(skeleton.nodes)}); right-click skips it")

    def _view_center(self) -> tuple[float, float] | None:
        if self.view is None:
            return None
        point = self.view.mapToScene(self.view.viewport().rect().center())
        return point.x(), point.y()

    def _draw(self) -> None:
        """A ghost of the next node at the cursor, with its edges to the nodes already placed."""
        if self.view is None:
            return
        skeleton = self.skeleton()
        if skeleton is None or self._cursor_at is None or self.drag is not None:
            self.view.overlay.clear()
            return
        target = self._target_instance()
        shapes: list[Shape] = []
        if target is not None and target.keypoints is not None:
            for a, b in skeleton.edges:
                other = b if a == self.next_node else a if b == self.next_node else None
                if other is not None and target.keypoints[other, 2] > Visibility.UNLABELLED:
                    line = [target.keypoints[other, :2], self._cursor_at]
                    shapes.append(shape("polyline", line, color=NEXT_COLOR, dashed=True))
        shapes.append(shape("node", self._cursor_at, color=NEXT_COLOR, size=5))
        name = skeleton.nodes[self.next_node] if self.next_node < len(skeleton.nodes) else ""
        shapes.append(shape("text", self._cursor_at, color=NEXT_COLOR, text=name))
        self.view.overlay.set_shapes(shapes)
