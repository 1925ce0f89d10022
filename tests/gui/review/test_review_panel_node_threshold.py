"""The review dock's node threshold, driven as a user would: it shows the pose model's
threshold, typing a new one keeps it on the model and redraws the weak nodes as dimmed rings
at once (no model run), and Accept all leaves those nodes unlabelled in the label."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from core.domain import Instance, ModelRecord, Skeleton
from core.project import Project
from core.workflows.videos import add_videos

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from gui_windows import open_window  # noqa: E402

pytestmark = pytest.mark.gui

KEYPOINTS = np.array([[20, 20, 2], [40, 20, 2], [60, 20, 2]], np.float32)
SCORES = np.array([0.6, 0.08, 0.3], np.float32)


@pytest.fixture
def pose_window(qtbot, tmp_path, tiny_video):
    """(window, controller, model id, prediction id): one pose prediction on frame 3 of a model
    whose node threshold is 0.05."""
    with Project.create(tmp_path / "p") as project:
        (video,) = add_videos(project, [tiny_video])
        skeleton = project.skeletons.add(Skeleton.from_names("mouse", ["snout", "ear", "tail"], [("snout", "ear"), ("ear", "tail")]))
        model = project.models.add(ModelRecord("pose 1", "pose", "models/pose-001", {"node_threshold": 0.05}))
        prediction = project.instances.add(
            Instance(video.id, 3, skeleton_id=skeleton.id, keypoints=KEYPOINTS, keypoint_scores=SCORES, source="predicted",
                     score=float(SCORES.mean()), model_id=model.id)
        )  # fmt: skip
    window = open_window(qtbot, tmp_path / "p", size=None)
    window.review.dock.raise_()
    window.state.set_frame(3)
    return window, window.review, model.id, prediction.id


def drawn_weak(window) -> list[bool]:
    (item,) = [i for i in window.view.instance_items if i.instance.is_predicted]
    return item.weak.tolist()


def pixel_at_node(window, node: int):
    window.view.viewport().repaint()
    image = window.view.viewport().grab().toImage()
    point = window.view.mapFromScene(QPointF(*KEYPOINTS[node, :2]))
    return image.pixelColor(point.x(), point.y()).name()


def type_threshold(qtbot, box, text: str) -> None:
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def test_the_node_threshold_redraws_weak_nodes_and_is_kept_on_the_model(qtbot, pose_window):
    window, controller, model_id, _ = pose_window
    box = controller.panel.node_threshold_box
    assert box.isEnabled() and box.value() == pytest.approx(0.05)
    assert drawn_weak(window) == [False, False, False]
    filled = pixel_at_node(window, 2)
    type_threshold(qtbot, box, "0.5")
    assert window.project.models.node_threshold(model_id) == pytest.approx(0.5)  # kept on the model
    assert drawn_weak(window) == [False, True, True]  # redrawn without a model run
    assert pixel_at_node(window, 2) != filled  # the tail is a ring now, not a dot
    (prediction,) = window.project.instances.on_frame(window.state.video_id, 3, source="predicted")
    assert prediction.keypoints[:, 2].tolist() == [2, 2, 2]  # the stored prediction keeps every node


def test_accept_all_leaves_the_weak_nodes_unlabelled(qtbot, pose_window):
    window, controller, _, prediction_id = pose_window
    type_threshold(qtbot, controller.panel.node_threshold_box, "0.1")
    qtbot.mouseClick(controller.panel.accept_all_button, Qt.MouseButton.LeftButton)
    label = window.project.instances.get(prediction_id)
    assert label.source == "user" and label.keypoints[:, 2].tolist() == [2, 0, 2]
    window.undo_edit()
    assert window.project.instances.get(prediction_id).keypoints[:, 2].tolist() == [2, 2, 2]


def test_without_pose_predictions_the_control_is_off(qtbot, review_window):
    window, controller = review_window  # box predictions of a toy model
    assert not controller.panel.node_threshold_box.isEnabled() and controller.panel.node_model_id is None
