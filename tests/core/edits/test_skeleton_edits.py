"""Editing a skeleton that already has labels keeps every label consistent with it."""

from __future__ import annotations

import numpy as np
import pytest

from core import edits
from core.domain import Instance
from core.edits import EditHistory
from core.project import InvalidEditError


def test_add_rename_remove_nodes_reshapes_keypoints_and_undo(project, video, catalog):
    skeleton = catalog["skeleton"]  # snout, left_ear, right_ear
    kp = np.array([[1, 1, 2], [2, 2, 2], [3, 3, 1]], dtype=np.float32)
    made = project.instances.add(Instance(video.id, 0, skeleton_id=skeleton.id, keypoints=kp))
    history = EditHistory(project)
    history.push(
        edits.edit_skeleton(
            project, skeleton.id,
            nodes=["nose", "right_ear", "tail_base"],  # snout renamed, left_ear removed, a node added
            edges=[("nose", "right_ear"), ("nose", "tail_base")], symmetries=[],
            renamed={"nose": "snout"},
        )
    )  # fmt: skip
    assert project.skeletons.get(skeleton.id).nodes == ("nose", "right_ear", "tail_base")
    assert project.instances.get(made.id).keypoints.tolist() == [[1, 1, 2], [3, 3, 1], [0, 0, 0]]
    history.undo()
    assert project.skeletons.get(skeleton.id).nodes == ("snout", "left_ear", "right_ear")
    assert np.array_equal(project.instances.get(made.id).keypoints, kp)


def test_bad_skeletons_are_refused(project, catalog):
    skeleton = catalog["skeleton"]
    with pytest.raises(InvalidEditError, match="no node"):
        edits.edit_skeleton(project, skeleton.id, ["a"], [("a", "b")], [])
    with pytest.raises(InvalidEditError, match="at least one node"):
        edits.edit_skeleton(project, skeleton.id, [], [], [])
    with pytest.raises(InvalidEditError, match="twice"):
        edits.edit_skeleton(project, skeleton.id, ["a", "a"], [], [])
