"""The skeleton editor changes the skeleton and its existing labels in one undoable step."""

from __future__ import annotations

import numpy as np
import pytest

from core.domain import Instance
from gui.skeleton_editor import SkeletonEditor
from gui.undo import UndoController

pytestmark = pytest.mark.gui


def test_edit_nodes_edges_and_symmetries_then_undo(qtbot, project, video, catalog):
    made = project.instances.add(
        Instance(video.id, 0, skeleton_id=catalog["skeleton"].id, keypoints=np.array([[1, 1, 2], [2, 2, 2], [3, 3, 2]]))
    )
    undo = UndoController(project)
    editor = SkeletonEditor(undo)
    qtbot.addWidget(editor)
    assert editor.node_names() == ["snout", "left_ear", "right_ear"]
    editor.rename_node(0, "nose")
    editor.add_node("tail")
    editor.remove_node(1)  # left_ear
    editor.edges.add_pair("nose", "tail")
    editor.move_node(2, -1)  # tail before right_ear
    assert editor.apply()
    skeleton = project.skeletons.get(catalog["skeleton"].id)
    assert skeleton.nodes == ("nose", "tail", "right_ear")
    assert ("nose", "right_ear") in [(skeleton.nodes[a], skeleton.nodes[b]) for a, b in skeleton.edges]
    assert skeleton.symmetries == ()  # the left/right pair went with left_ear
    assert project.instances.get(made.id).keypoints.tolist() == [[1, 1, 2], [0, 0, 0], [3, 3, 2]]
    undo.stack.undo()
    assert project.skeletons.get(catalog["skeleton"].id).nodes == ("snout", "left_ear", "right_ear")
    assert editor.node_names() == ["snout", "left_ear", "right_ear"]


def test_new_skeleton(qtbot, project):
    undo = UndoController(project)
    editor = SkeletonEditor(undo)
    qtbot.addWidget(editor)
    editor.create("fly")
    assert project.skeletons.find("fly").nodes == ("head", "tail")
    assert editor.chooser.currentText() == "fly"
