"""The select tool: clicks select, drags move and reshape, each drag one undo step, keys and
right-clicks edit; every check reads the store."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.domain import Box, Instance, Visibility
from core.edits import AddInstance

RIGHT = Qt.MouseButton.RightButton

pytestmark = pytest.mark.gui

SQUARE = np.array([[100, 100], [200, 100], [200, 200], [100, 200]], dtype=float)


def _add(canvas, **fields) -> Instance:
    edit = canvas.controller.push(AddInstance(Instance(canvas.video.id, 0, **fields)))
    canvas.controller.stack.clear()  # the set-up is not part of what the test undoes
    return edit.instance


def _pose(canvas) -> Instance:
    keypoints = np.array([[300, 200, 2], [280, 180, 2], [320, 180, 2]], dtype=np.float32)
    return _add(canvas, skeleton_id=canvas.catalog["skeleton"].id, keypoints=keypoints)


def test_a_click_selects_and_a_click_on_nothing_deselects(canvas):
    made = _add(canvas, box=Box(50, 50, 150, 150))
    canvas.use("select")
    canvas.click(100, 100)
    assert canvas.state.selected_instance == made.id
    assert canvas.view.instance_items[0].selected
    canvas.click(400, 400)
    assert canvas.state.selected_instance is None
    assert canvas.controller.stack.count() == 0  # selecting is not an edit


def test_dragging_a_box_moves_it_in_one_undo_step(canvas):
    made = _add(canvas, box=Box(50, 50, 150, 150))
    canvas.use("select")
    canvas.drag([(100, 100), (110, 105), (130, 120), (160, 140)])
    box = canvas.project.instances.get(made.id).box
    assert box.as_tuple() == pytest.approx((110, 90, 210, 190), abs=1.5)
    assert canvas.controller.stack.count() == 1
    canvas.controller.stack.undo()
    assert canvas.project.instances.get(made.id).box == Box(50, 50, 150, 150)


def test_a_corner_handle_of_the_selected_box_resizes_it(canvas):
    made = _add(canvas, box=Box(50, 50, 150, 150))
    canvas.use("select")
    canvas.click(100, 100)
    canvas.drag([(150, 150), (170, 160), (200, 180)])
    box = canvas.project.instances.get(made.id).box
    assert box.as_tuple() == pytest.approx((50, 50, 200, 180), abs=1.5)
    assert canvas.controller.stack.count() == 1


def test_dragging_a_polygon_vertex_is_one_step_and_undo_restores_it(canvas):
    made = _add(canvas, polygons=(SQUARE,))
    canvas.use("select")
    canvas.drag([(200, 200), (220, 210), (240, 230), (250, 260)])
    moved = canvas.project.instances.get(made.id).polygons[0]
    assert moved[2] == pytest.approx((250, 260), abs=1.5)
    assert canvas.controller.stack.count() == 1
    canvas.controller.stack.undo()
    assert np.array_equal(canvas.project.instances.get(made.id).polygons[0], SQUARE)


def test_dragging_a_node_is_one_undo_step(canvas):
    made = _pose(canvas)
    canvas.use("select")
    canvas.drag([(280, 180), (270, 170), (260, 160), (250, 150)])
    keypoints = canvas.project.instances.get(made.id).keypoints
    assert keypoints[1, :2] == pytest.approx((250, 150), abs=1.5)
    assert keypoints[0, :2] == pytest.approx((300, 200))
    assert canvas.controller.stack.count() == 1
    canvas.controller.stack.undo()
    assert canvas.project.instances.get(made.id).keypoints[1, :2] == pytest.approx((280, 180))


def test_a_dragged_prediction_becomes_a_label(canvas):
    made = _add(canvas, box=Box(50, 50, 150, 150), source="predicted", score=0.7)
    canvas.use("select")
    canvas.drag([(100, 100), (120, 100)])
    assert canvas.project.instances.get(made.id).source == "user"
    canvas.controller.stack.undo()
    assert canvas.project.instances.get(made.id).source == "predicted"


def test_right_click_on_a_node_toggles_occluded_and_back(canvas):
    made = _pose(canvas)
    canvas.use("select")
    canvas.click(320, 180, RIGHT)
    assert canvas.project.instances.get(made.id).keypoints[2, 2] == Visibility.OCCLUDED
    canvas.click(320, 180, RIGHT)
    assert canvas.project.instances.get(made.id).keypoints[2, 2] == Visibility.VISIBLE
    assert canvas.controller.stack.count() == 2


def test_delete_removes_the_selected_instance_and_undo_brings_it_back(canvas):
    made = _add(canvas, box=Box(50, 50, 150, 150))
    canvas.use("select")
    canvas.click(100, 100)
    canvas.key(Qt.Key.Key_Delete)
    assert canvas.instances() == [] and canvas.state.selected_instance is None
    canvas.controller.stack.undo()
    assert [i.id for i in canvas.instances()] == [made.id]


def test_double_click_on_an_edge_inserts_a_vertex_there(canvas):
    made = _add(canvas, polygons=(SQUARE,))
    canvas.use("select")
    canvas.double_click(150, 100)
    polygon = canvas.project.instances.get(made.id).polygons[0]
    assert len(polygon) == 5 and polygon[1] == pytest.approx((150, 100), abs=1.5)
    assert canvas.controller.stack.count() == 1


def test_alt_click_on_a_vertex_deletes_it(canvas):
    made = _add(canvas, polygons=(SQUARE,))
    canvas.use("select")
    canvas.click(100, 200, modifiers=Qt.KeyboardModifier.AltModifier)
    polygon = canvas.project.instances.get(made.id).polygons[0]
    assert len(polygon) == 3 and not any(np.allclose(p, (100, 200)) for p in polygon)


def test_a_drag_on_empty_frame_pans_and_edits_nothing(canvas):
    _add(canvas, box=Box(400, 300, 500, 400))
    canvas.use("select")
    canvas.view.scale(4, 4)  # zoomed in, so there is room to pan
    before = canvas.view.horizontalScrollBar().value()
    centre = canvas.view.mapToScene(canvas.view.viewport().rect().center())
    canvas.drag([(centre.x(), centre.y()), (centre.x() - 20, centre.y())])
    assert canvas.view.horizontalScrollBar().value() > before
    assert canvas.controller.stack.count() == 0
