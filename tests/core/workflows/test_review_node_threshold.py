"""Accepting a pose prediction applies its model's node threshold: the nodes shown dimmed become
unlabelled (visibility 0) in the label, in one undo step, and undo brings the prediction back
with every node; a threshold changed later applies to what is accepted later."""

from __future__ import annotations

import numpy as np
import pytest

from core.domain import Instance, ModelRecord
from core.edits import EditHistory, accept_prediction, move_keypoint
from core.workflows.review import accept_visible

SCORES = np.array([0.6, 0.04, 0.2], np.float32)
KEYPOINTS = np.array([[10, 10, 2], [20, 10, 2], [30, 10, 2]], np.float32)


@pytest.fixture
def pose_model(project) -> ModelRecord:
    return project.models.add(ModelRecord("pose 1", "pose", "models/pose-001", {"node_threshold": 0.05}))


def add_prediction(project, video, model, frame=4, score=0.28) -> Instance:
    return project.instances.add(
        Instance(video.id, frame, keypoints=KEYPOINTS, keypoint_scores=SCORES, source="predicted", score=score, model_id=model.id)
    )


def test_accepting_all_on_a_frame_unlabels_the_nodes_under_the_models_threshold(project, video, pose_model):
    prediction = add_prediction(project, video, pose_model)
    history = EditHistory(project)
    history.push(accept_visible(project, project.instances.on_frame(video.id, 4), min_score=0.0))
    label = project.instances.get(prediction.id)
    assert label.source == "user" and label.keypoints[:, 2].tolist() == [2, 0, 2]
    assert np.allclose(label.keypoints[:, :2], KEYPOINTS[:, :2]) and np.allclose(label.keypoint_scores, SCORES)
    history.undo()
    back = project.instances.get(prediction.id)
    assert back.is_predicted and back.keypoints[:, 2].tolist() == [2, 2, 2]


def test_a_threshold_changed_later_applies_to_later_accepts(project, video, pose_model):
    first, second = add_prediction(project, video, pose_model, 4), add_prediction(project, video, pose_model, 6)
    EditHistory(project).push(accept_prediction(project, first.id))
    project.models.set_node_threshold(pose_model.id, 0.3)
    EditHistory(project).push(accept_prediction(project, second.id))
    assert project.instances.get(first.id).keypoints[:, 2].tolist() == [2, 0, 2]  # accepted under 0.05
    assert project.instances.get(second.id).keypoints[:, 2].tolist() == [2, 0, 0]


def test_correcting_a_weak_node_keeps_it_and_drops_the_other_weak_ones(project, video, pose_model):
    project.models.set_node_threshold(pose_model.id, 0.3)
    prediction = add_prediction(project, video, pose_model)
    EditHistory(project).push(move_keypoint(project, prediction.id, 1, 22.0, 12.0))
    label = project.instances.get(prediction.id)
    assert label.source == "user" and label.keypoints[:, 2].tolist() == [2, 2, 0]  # node 1 moved by hand: kept
    assert label.keypoints[1, :2].tolist() == [22.0, 12.0]


def test_predictions_of_models_without_a_threshold_are_accepted_as_they_are(project, video):
    detect = project.models.add(ModelRecord("detect 1", "detect", "models/detect-001"))
    prediction = add_prediction(project, video, detect)
    EditHistory(project).push(accept_prediction(project, prediction.id))
    assert project.instances.get(prediction.id).keypoints[:, 2].tolist() == [2, 2, 2]


def test_the_review_sets_the_threshold_of_the_pose_model_that_predicted_last(project, video, pose_model):
    from core.workflows.review import node_threshold_model

    assert node_threshold_model(project, video.id) is None
    detect = project.models.add(ModelRecord("detect 1", "detect", "models/detect-001"))
    project.instances.add(Instance(video.id, 1, keypoints=KEYPOINTS, source="predicted", score=0.5, model_id=detect.id))
    assert node_threshold_model(project, video.id) is None  # no node scores: nothing to threshold
    add_prediction(project, video, pose_model)
    newer = project.models.add(ModelRecord("pose 2", "pose", "models/pose-002"))
    add_prediction(project, video, newer, frame=8)
    assert node_threshold_model(project, video.id) == newer.id
