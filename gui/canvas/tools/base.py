"""What every canvas tool shares: the context it edits through, the mouse event it receives in
frame (scene) coordinates, and the `CanvasTool` base whose hooks `FrameView` calls.

A tool turns gestures into `core` edits and pushes them through `ToolContext.push_edit`; it never
reaches into the main window. A hook returns True when it consumed the event; otherwise the view
keeps its own behaviour (wheel zoom, middle-drag and Space+drag panning).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt

from core.domain import Instance
from core.edits import Edit, track_for_new_instance
from core.project import Project, ProjectError
from gui.state import AppState

if TYPE_CHECKING:
    from gui.canvas.frame_view import FrameView

PICK_PX = 8.0  # how near (screen pixels) a click must land on a node, vertex or handle
DRAG_START_PX = 2.0  # a press that moves less than this is a click, not a drag

_gestures = itertools.count(1)


def new_gesture(kind: str) -> tuple:
    """A tag unique to one press-drag-release: edits carrying it merge into one undo step."""
    return (kind, next(_gestures))


@dataclass
class ToolContext:
    """What tools may use. The main window owns it and keeps the choices current.

    `push_edit` applies an edit through the undo stack and returns something falsy (False) when
    it was refused; `frame` returns the current frame's RGB pixels `(H, W, 3)` when decoded;
    `show_status` sets the tool's line, `show_message` says something once (the status bar).
    """

    project: Project
    state: AppState
    push_edit: Callable[[Edit], object]
    frame: Callable[[], np.ndarray | None] = lambda: None
    class_id: int | None = None
    track_id: int | None = None
    skeleton_id: int | None = None
    show_status: Callable[[str], None] = field(default=lambda _text: None)
    show_message: Callable[[str], None] = field(default=lambda _text: None)

    def new_instance(self, **fields) -> Instance:
        """An instance on the current frame with the class and track chosen for new labels; it
        goes without a track when that track is already on the frame (and says so)."""
        video_id, frame = self.state.video_id, self.state.frame_index
        track_id = track_for_new_instance(self.project, video_id, frame, self.track_id)
        if track_id != self.track_id:
            name = self.project.tracks.get(self.track_id).name
            self.show_message(f"{name} is already on this frame: the new instance has no track (choose one in Instances)")
        return Instance(video_id, frame, class_id=self.class_id, track_id=track_id, **fields)

    @property
    def frame_size(self) -> tuple[int, int] | None:
        """(height, width) of the current frame: its pixels if decoded, else the video's record."""
        pixels = self.frame()
        if pixels is not None:
            return int(pixels.shape[0]), int(pixels.shape[1])
        if self.state.video_id is None:
            return None
        video = self.project.videos.get(self.state.video_id)
        return video.height, video.width


@dataclass(frozen=True)
class ToolEvent:
    """A mouse event in frame pixel coordinates; `pixel` is the size of one screen pixel in
    frame pixels, so tolerances stay constant on screen at any zoom."""

    x: float
    y: float
    button: Qt.MouseButton
    buttons: Qt.MouseButton
    modifiers: Qt.KeyboardModifier
    pixel: float = 1.0

    @property
    def pos(self) -> tuple[float, float]:
        return (self.x, self.y)

    def has(self, modifier: Qt.KeyboardModifier) -> bool:
        return bool(self.modifiers & modifier)


class CanvasTool:
    """Base of the canvas tools: every hook does nothing and consumes nothing."""

    id = "tool"
    name = "Tool"
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, context: ToolContext) -> None:
        self.context = context
        self.view: FrameView | None = None
        self.status_text = ""

    # --- life cycle (called by FrameView.set_tool) -------------------------------------------------

    def activate(self, view: FrameView) -> None:
        self.view = view
        self.context.state.frame_changed.connect(self._frame_left)
        self.context.state.video_changed.connect(self._frame_left)
        view.viewport().setCursor(self.cursor)

    def deactivate(self) -> None:
        self.cancel()
        self.context.state.frame_changed.disconnect(self._frame_left)
        self.context.state.video_changed.disconnect(self._frame_left)
        if self.view is not None:
            self.view.overlay.clear()
        self.view = None

    def cancel(self) -> None:
        """Drop any gesture in progress (a polygon being drawn, a stroke)."""

    def _frame_left(self, *_args) -> None:
        self.cancel()
        if self.view is not None:
            self.view.overlay.clear()

    # --- hooks ---------------------------------------------------------------------------------------

    def mouse_press(self, event: ToolEvent) -> bool:
        return False

    def mouse_move(self, event: ToolEvent) -> bool:
        return False

    def mouse_release(self, event: ToolEvent) -> bool:
        return False

    def mouse_double_click(self, event: ToolEvent) -> bool:
        return False

    def key_press(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        return False

    def wants_key(self, key: int, modifiers: Qt.KeyboardModifier) -> bool:
        """Whether this key belongs to the tool now, even if a window shortcut is bound to it
        (Backspace takes back a polygon vertex, not deletes the selected instance)."""
        return False

    def mouse_left(self) -> None:
        """The cursor left the canvas: drop hover feedback."""

    def drop_drag(self) -> None:
        """Forget a drag in progress without writing it: the instances shown were re-read."""

    # --- helpers for subclasses ----------------------------------------------------------------------

    def push(self, make: Callable[[], Edit | None]) -> Edit | None:
        """Build an edit with a core ask-function and push it; a refusal becomes a status message.
        `make` may return None: there is nothing to change."""
        try:
            edit = make()
            if edit is None or self.context.push_edit(edit) is False:
                return None
        except ProjectError as error:
            self.set_status(str(error))
            return None
        return edit

    def set_status(self, text: str) -> None:
        self.status_text = text
        self.context.show_status(text)

    def shown_instances(self) -> list[Instance]:
        """The instances drawn on the canvas now (what the user can click)."""
        return [item.instance for item in self.view.instance_items] if self.view is not None else []

    def selected_instance(self) -> Instance | None:
        """The selected instance if it is on the current frame and still exists."""
        selected, state = self.context.state.selected_instance, self.context.state
        if selected is None:
            return None
        try:
            instance = self.context.project.instances.get(selected)
        except ProjectError:
            return None
        same_frame = instance.video_id == state.video_id and instance.frame_index == state.frame_index
        return instance if same_frame else None

    def clamp(self, x: float, y: float) -> tuple[float, float]:
        """A point kept inside the frame (labels never leave the image)."""
        size = self.context.frame_size
        if size is None:
            return x, y
        height, width = size
        return min(max(x, 0.0), float(width)), min(max(y, 0.0), float(height))
