"""Drawing boxes on the canvas, checked in the store."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_a_drag_draws_a_box_of_the_current_class(canvas):
    canvas.use("box")
    canvas.drag([(100, 80), (150, 120), (220, 190)])
    (instance,) = canvas.instances()
    box = instance.box
    assert box.x1 == pytest.approx(100, abs=1) and box.y1 == pytest.approx(80, abs=1)
    assert box.x2 == pytest.approx(220, abs=1) and box.y2 == pytest.approx(190, abs=1)
    assert instance.class_id == canvas.catalog["mouse"].id and instance.source == "user"
    assert canvas.state.selected_instance == instance.id
    assert canvas.controller.stack.count() == 1


def test_a_drag_up_and_left_is_normalised_and_kept_on_the_frame(canvas):
    canvas.use("box")
    canvas.drag([(300, 300), (-50, -40)])
    (instance,) = canvas.instances()
    assert instance.box.as_tuple() == pytest.approx((0, 0, 300, 300), abs=1)


def test_a_tiny_drag_is_ignored(canvas):
    canvas.use("box")
    canvas.drag([(100, 100), (101, 101)])
    assert canvas.instances() == []
    assert canvas.controller.stack.count() == 0
