"""Placing skeleton nodes click by click, skipping, continuing, and dropping a template."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.domain import Instance, Visibility
from core.edits import AddInstance
from gui.canvas.tools.template import mean_pose, template_keypoints

pytestmark = pytest.mark.gui
RIGHT = Qt.MouseButton.RightButton


def test_clicks_place_the_nodes_in_order_and_then_start_a_new_instance(canvas):
    tool = canvas.use("keypoint")
    assert "'snout' (1/3)" in tool.status_text
    canvas.click(300, 200)
    assert "'left_ear' (2/3)" in tool.status_text
    canvas.click(280, 180)
    canvas.click(320, 180)
    (instance,) = canvas.instances()
    assert instance.skeleton_id == canvas.catalog["skeleton"].id
    assert instance.keypoints[:, :2] == pytest.approx(np.array([[300, 200], [280, 180], [320, 180]]), abs=1.5)
    assert (instance.keypoints[:, 2] == Visibility.VISIBLE).all()
    assert canvas.controller.stack.count() == 1  # one skeleton placed: one undo step
    assert canvas.controller.stack.undoText() == "Add keypoints"
    canvas.click(100, 100)  # all placed: the next click is a new animal
    assert len(canvas.instances()) == 2 and canvas.controller.stack.count() == 2
    canvas.controller.stack.undo()
    canvas.controller.stack.undo()  # the whole first animal goes...
    assert canvas.instances() == []
    canvas.controller.stack.redo()  # ...and comes back with all three nodes where they were placed
    (again,) = canvas.instances()
    assert again.keypoints[:, :2] == pytest.approx(np.array([[300, 200], [280, 180], [320, 180]]), abs=1.5)


def test_a_right_click_skips_a_node(canvas):
    canvas.use("keypoint")
    canvas.click(300, 200)
    canvas.click(10, 10, RIGHT)
    canvas.click(320, 180)
    (instance,) = canvas.instances()
    assert instance.keypoints[1, 2] == Visibility.UNLABELLED
    assert instance.keypoints[2, :2] == pytest.approx((320, 180), abs=1.5)


def test_the_selected_instance_is_continued_from_its_first_missing_node(canvas):
    keypoints = np.array([[300, 200, 2], [0, 0, 0], [320, 180, 2]], dtype=np.float32)
    made = canvas.controller.push(
        AddInstance(Instance(canvas.video.id, 0, skeleton_id=canvas.catalog["skeleton"].id, keypoints=keypoints))
    ).instance
    canvas.state.select(made.id)
    tool = canvas.use("keypoint")
    assert "'left_ear'" in tool.status_text
    canvas.click(250, 170)
    assert canvas.project.instances.get(made.id).keypoints[1, :2] == pytest.approx((250, 170), abs=1.5)
    assert len(canvas.instances()) == 1


def test_a_placed_node_can_be_dragged_in_one_step(canvas):
    canvas.use("keypoint")
    canvas.click(300, 200)
    steps = canvas.controller.stack.count()
    canvas.drag([(300, 200), (310, 210), (330, 230)])
    (instance,) = canvas.instances()
    assert instance.keypoints[0, :2] == pytest.approx((330, 230), abs=1.5)
    assert canvas.controller.stack.count() == steps + 1


def test_drop_template_uses_the_mean_pose_of_the_labels(canvas):
    skeleton = canvas.catalog["skeleton"].id
    for dx in (0, 100):
        keypoints = np.array([[100 + dx, 100, 2], [90 + dx, 80, 2], [110 + dx, 80, 2]], dtype=np.float32)
        canvas.project.instances.add(Instance(canvas.video.id, 5, skeleton_id=skeleton, keypoints=keypoints))
    tool = canvas.use("keypoint")
    dropped = tool.drop_template((400, 300))
    assert dropped is not None and canvas.state.selected_instance == dropped.id
    (instance,) = canvas.instances()
    centred = np.array([[0, 40 / 3], [-10, -20 / 3], [10, -20 / 3]])
    assert instance.keypoints[:, :2] == pytest.approx(centred + (400, 300), abs=1e-3)
    assert canvas.controller.stack.count() == 1


def test_a_template_without_labels_is_a_spread_of_all_nodes():
    keypoints = template_keypoints([], 3, (50, 60), spread=20)
    assert (keypoints[:, 2] == Visibility.VISIBLE).all()
    assert np.hypot(keypoints[:, 0] - 50, keypoints[:, 1] - 60) == pytest.approx([20, 20, 20])
    assert np.isnan(mean_pose([np.array([[1, 1, 2], [0, 0, 0], [0, 0, 0]])], 3)).all()


def test_the_template_keeps_the_animals_size_whichever_way_they_face():
    from gui.canvas.tools.template import mean_pose

    shape = np.array([[0, -20], [-6, 10], [6, 10]], dtype=np.float64)  # 30 px long
    poses = []
    for angle in np.linspace(0, 2 * np.pi, 8, endpoint=False):
        turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        pose = np.ones((3, 3))
        pose[:, :2] = shape @ turn.T + (200, 100)
        poses.append(pose)
    mean = mean_pose(poses, 3)
    length = np.linalg.norm(mean[0] - (mean[1] + mean[2]) / 2)
    assert length == pytest.approx(30, abs=0.5)  # unturned, the eight would average to a point
