"""A real canvas over a real project: a FrameView showing a synthetic frame of the `video`
fixture, edits going through the real UndoController, redrawn from the store after each edit
as the main window does, and helpers that press, drag and type on the view's viewport at the
screen positions of frame points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from core.domain import Instance
from gui.canvas.frame_view import FrameView
from gui.canvas.tools import ToolContext, build_tools
from gui.state import AppState
from gui.undo import UndoController

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def synthetic_frame(height: int = 480, width: int = 640) -> np.ndarray:
    """A dark frame with a bright disc (an 'animal' for GrabCut) and a gradient."""
    yy, xx = np.mgrid[:height, :width]
    frame = np.zeros((height, width, 3), dtype=np.uint8)
    frame[..., 0] = (xx * 40 // width).astype(np.uint8) + 20
    frame[..., 1] = 30
    frame[..., 2] = (yy * 40 // height).astype(np.uint8) + 20
    disc = (xx - 480) ** 2 + (yy - 300) ** 2 <= 50**2
    frame[disc] = (230, 210, 160)
    return frame


@dataclass
class Canvas:
    qtbot: object
    view: FrameView
    project: object
    video: object
    catalog: dict
    state: AppState
    controller: UndoController
    context: ToolContext
    tools: dict
    frame: np.ndarray

    def use(self, tool_id: str):
        self.view.set_tool(self.tools[tool_id])
        return self.tools[tool_id]

    def at(self, x: float, y: float) -> QPoint:
        return self.view.mapFromScene(QPointF(x, y))

    def press(self, x, y, button=LEFT, modifiers=NO_MODIFIER) -> None:
        self.qtbot.mousePress(self.view.viewport(), button, modifiers, self.at(x, y))

    def move(self, x, y) -> None:
        self.qtbot.mouseMove(self.view.viewport(), self.at(x, y))

    def release(self, x, y, button=LEFT, modifiers=NO_MODIFIER) -> None:
        self.qtbot.mouseRelease(self.view.viewport(), button, modifiers, self.at(x, y))

    def click(self, x, y, button=LEFT, modifiers=NO_MODIFIER) -> None:
        self.press(x, y, button, modifiers)
        self.release(x, y, button, modifiers)

    def double_click(self, x, y, modifiers=NO_MODIFIER) -> None:
        self.click(x, y, LEFT, modifiers)  # a real double-click: press, release, double-click, release
        QTest.mouseDClick(self.view.viewport(), LEFT, modifiers, self.at(x, y))

    def drag(self, points: list[tuple[float, float]], button=LEFT, modifiers=NO_MODIFIER) -> None:
        self.press(*points[0], button, modifiers)
        for point in points[1:]:
            self.move(*point)
        self.release(*points[-1], button, modifiers)

    def key(self, key: Qt.Key, modifiers=NO_MODIFIER) -> None:
        self.qtbot.keyClick(self.view, key, modifiers)

    def instances(self) -> list[Instance]:
        return self.project.instances.on_frame(self.video.id, self.state.frame_index)

    def refresh(self, *_args) -> None:
        skeletons = {s.id: s for s in self.project.skeletons.all()}
        colors = {
            "track": {t.id: t.color for t in self.project.tracks.all()},
            "class": {c.id: c.color for c in self.project.label_classes.all()},
        }
        self.view.show_instances(self.instances(), skeletons, colors, self.state.selected_instance)


@pytest.fixture
def canvas(qtbot, project, video, catalog) -> Canvas:
    state = AppState()
    state.set_video(video.id, video.frame_count)
    controller = UndoController(project)
    view = FrameView()
    qtbot.addWidget(view)
    view.resize(820, 640)
    view.show()
    qtbot.waitExposed(view)
    frame = synthetic_frame(video.height, video.width)
    view.show_frame(frame)
    view.fit()
    context = ToolContext(
        project, state, controller.push, frame=lambda: frame, class_id=catalog["mouse"].id,
        skeleton_id=catalog["skeleton"].id,
    )  # fmt: skip
    canvas = Canvas(qtbot, view, project, video, catalog, state, controller, context, build_tools(context), frame)
    controller.edit_done.connect(canvas.refresh)
    state.selection_changed.connect(view.set_selected)
    canvas.refresh()
    view.setFocus()
    return canvas
