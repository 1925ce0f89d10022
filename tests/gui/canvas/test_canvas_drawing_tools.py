"""Polygon, brush and box-to-mask on the canvas, checked in the store."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from core.domain import Box, Instance
from core.edits import AddInstance
from gui.canvas.tools import box_to_mask

pytestmark = pytest.mark.gui
RIGHT = Qt.MouseButton.RightButton
TRIANGLE = [(100, 100), (200, 110), (150, 200)]


def _add(canvas, **fields) -> Instance:
    edit = canvas.controller.push(AddInstance(Instance(canvas.video.id, 0, **fields)))
    canvas.controller.stack.clear()
    return edit.instance


# --- polygons --------------------------------------------------------------------------------------


def test_clicks_then_a_click_on_the_first_vertex_make_a_polygon(canvas):
    canvas.use("polygon")
    for point in TRIANGLE:
        canvas.move(*point)
        canvas.click(*point)
    assert canvas.instances() == []  # nothing saved while drawing
    canvas.click(101, 101)
    (instance,) = canvas.instances()
    assert instance.polygons[0] == pytest.approx(np.array(TRIANGLE), abs=1.5)
    assert instance.class_id == canvas.catalog["mouse"].id
    assert canvas.controller.stack.count() == 1 and canvas.state.selected_instance == instance.id


def test_a_double_click_closes_and_backspace_takes_back_a_vertex(canvas):
    canvas.use("polygon")
    for point in [*TRIANGLE, (300, 300)]:
        canvas.click(*point)
    canvas.key(Qt.Key.Key_Backspace)
    canvas.click(120, 190)
    canvas.double_click(110, 150)
    (instance,) = canvas.instances()
    assert instance.polygons[0] == pytest.approx(np.array([*TRIANGLE, (120, 190), (110, 150)]), abs=1.5)


def test_enter_closes_escape_cancels(canvas):
    canvas.use("polygon")
    for point in TRIANGLE:
        canvas.click(*point)
    canvas.key(Qt.Key.Key_Escape)
    canvas.key(Qt.Key.Key_Return)
    assert canvas.instances() == []
    for point in TRIANGLE:
        canvas.click(*point)
    canvas.key(Qt.Key.Key_Return)
    assert len(canvas.instances()) == 1


def test_shift_closing_adds_a_polygon_to_the_selected_instance(canvas):
    made = _add(canvas, box=Box(10, 10, 400, 400))
    canvas.state.select(made.id)
    canvas.use("polygon")
    for point in TRIANGLE:
        canvas.click(*point)
    canvas.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    (instance,) = canvas.instances()
    assert instance.id == made.id and len(instance.polygons) == 1


# --- brush ------------------------------------------------------------------------------------------


def test_a_brush_stroke_paints_a_new_mask_in_one_edit(canvas):
    brush = canvas.use("brush")
    brush.radius = 6
    canvas.drag([(100, 100), (130, 100), (160, 100), (200, 100)])
    (instance,) = canvas.instances()
    mask = instance.mask.to_array()
    assert mask.shape == (480, 640)
    assert mask[100, 100:200].all() and mask[95:106, 150].all()
    assert not mask[120, 150] and not mask[100, 220]
    assert canvas.controller.stack.count() == 1


def test_painting_and_erasing_change_the_selected_mask(canvas):
    made = _add(canvas, box=Box(50, 50, 300, 300))
    canvas.state.select(made.id)
    brush = canvas.use("brush")
    brush.radius = 10
    canvas.drag([(100, 150), (250, 150)])
    assert canvas.project.instances.get(made.id).mask.to_array()[150, 100:250].all()
    canvas.drag([(175, 120), (175, 180)], button=RIGHT)  # the right button erases
    mask = canvas.project.instances.get(made.id).mask.to_array()
    assert not mask[150, 170:181].any() and mask[150, 110]
    canvas.key(Qt.Key.Key_E)  # the eraser on the left button
    canvas.drag([(110, 150), (110, 150)])
    assert not canvas.project.instances.get(made.id).mask.to_array()[150, 110]
    assert canvas.controller.stack.count() == 3
    canvas.controller.stack.undo()
    assert canvas.project.instances.get(made.id).mask.to_array()[150, 110]


def test_brackets_resize_the_brush(canvas):
    brush = canvas.use("brush")
    start = brush.radius
    canvas.key(Qt.Key.Key_BracketRight)
    assert brush.radius > start
    canvas.key(Qt.Key.Key_BracketLeft)
    canvas.key(Qt.Key.Key_BracketLeft)
    assert brush.radius < start
    assert "px" in brush.status_text


# --- box to mask -------------------------------------------------------------------------------------


def test_box_to_mask_segments_the_disc_as_one_undoable_edit(canvas):
    made = _add(canvas, box=Box(415, 235, 545, 365))  # around the bright disc of radius 50 at (480, 300)
    canvas.state.select(made.id)
    assert box_to_mask(canvas.context)
    mask = canvas.project.instances.get(made.id).mask.to_array()
    yy, xx = np.mgrid[:480, :640]
    disc = (xx - 480) ** 2 + (yy - 300) ** 2 <= 50**2
    assert (mask & disc).sum() / (mask | disc).sum() > 0.8
    canvas.controller.stack.undo()
    assert canvas.project.instances.get(made.id).mask is None


def test_box_to_mask_without_a_box_says_why(canvas):
    messages = []
    canvas.context.show_status = messages.append
    assert not box_to_mask(canvas.context)
    made = _add(canvas, polygons=(np.array(TRIANGLE),))
    canvas.state.select(made.id)
    assert not box_to_mask(canvas.context)
    assert "no box" in messages[-1] and canvas.controller.stack.count() == 0


def test_the_polygon_tool_keeps_backspace_from_a_window_shortcut(canvas, qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(canvas.view)
    deleted = []
    action = QAction("Delete Selected", window)
    action.setShortcuts([QKeySequence("Delete"), QKeySequence("Backspace")])
    action.triggered.connect(lambda: deleted.append(True))
    window.addAction(action)
    try:
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        canvas.view.setFocus()
        canvas.use("polygon")
        for point in [*TRIANGLE, (300, 300)]:
            canvas.click(*point)
        canvas.key(Qt.Key.Key_Backspace)  # takes back (300, 300), not a window-wide delete
        canvas.key(Qt.Key.Key_Return)
        assert not deleted
        assert canvas.instances()[0].polygons[0] == pytest.approx(np.array(TRIANGLE), abs=1.5)
        canvas.key(Qt.Key.Key_Backspace)  # nothing being drawn: the window's shortcut has it
        assert deleted
    finally:
        window.takeCentralWidget()  # the view belongs to its own fixture
