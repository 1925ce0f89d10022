"""A model's node threshold: chosen at training, kept in the model's config when the user sets
it, read back after reopening, and refused for models without nodes or values outside 0-1."""

from __future__ import annotations

import pytest

from core.domain import ModelRecord
from core.project import Project


def test_the_users_choice_wins_over_the_validation_choice_and_survives_reopening(project):
    pose = project.models.add(ModelRecord("pose 1", "pose", "models/pose-001", {"options": {}}, {"val_node_threshold": 0.05}))
    assert project.models.node_threshold(pose.id) == 0.05
    changed = project.models.set_node_threshold(pose.id, 0.1)
    assert changed.node_threshold == 0.1 and changed.config["options"] == {} and changed.metrics["val_node_threshold"] == 0.05
    folder = project.folder
    project.close()
    with Project.open(folder) as again:
        assert again.models.node_threshold(pose.id) == 0.1 and again.models.node_thresholds() == {pose.id: 0.1}


def test_older_pose_models_keep_the_cut_their_predictions_were_made_with(project):
    old = project.models.add(ModelRecord("pose 1", "pose", "p", {"adapter": {"config": {"node_threshold": 0.2}}}, {}))
    bare = project.models.add(ModelRecord("pose 2", "pose", "q"))
    detect = project.models.add(ModelRecord("detect 3", "detect", "d", {}, {"val_loss": 1.0}))
    assert project.models.node_thresholds() == {old.id: 0.2}
    assert project.models.node_threshold(detect.id) is None and bare.node_threshold is None
    assert project.models.set_node_threshold(bare.id, 0).node_threshold == 0.0


def test_bad_requests_are_refused_with_a_clear_message(project):
    pose = project.models.add(ModelRecord("pose 1", "pose", "p"))
    detect = project.models.add(ModelRecord("detect 2", "detect", "d"))
    with pytest.raises(ValueError, match="between 0 and 1"):
        project.models.set_node_threshold(pose.id, 1.5)
    with pytest.raises(ValueError, match="detect model"):
        project.models.set_node_threshold(detect.id, 0.1)
    assert project.models.get(pose.id).config == {}
