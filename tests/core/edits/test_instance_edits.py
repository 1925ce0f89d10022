"""Every instance edit applies, undoes and redoes through the history, against the store."""

from __future__ import annotations

import numpy as np
import pytest

from core import edits
from core.domain import Box, Instance, Visibility
from core.edits import EditHistory
from core.project import InvalidEditError


@pytest.fixture
def history(project):
    return EditHistory(project)


def _roundtrip(history, project, instance_id, read):
    """Undo then redo the last edit; return the value `read` gives before, after undo, after redo."""
    done = read(project.instances.get(instance_id))
    history.undo()
    undone = read(project.instances.get(instance_id))
    history.redo()
    redone = read(project.instances.get(instance_id))
    return done, undone, redone


def test_add_and_delete_instance_undo_redo(project, video, history):
    added = history.push(edits.AddInstance(Instance(video.id, 5, box=Box(1, 2, 30, 40)))).instance
    assert project.instances.get(added.id).box == Box(1, 2, 30, 40)
    history.undo()
    assert project.instances.on_frame(video.id, 5) == []
    history.redo()
    assert project.instances.get(added.id).box == Box(1, 2, 30, 40)  # same id after redo

    history.push(edits.DeleteInstance(added.id))
    assert project.instances.on_frame(video.id, 5) == []
    history.undo()
    assert project.instances.get(added.id).box == Box(1, 2, 30, 40)


def test_move_box(project, video, history):
    made = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 10, 10)))
    history.push(edits.set_box(project, made.id, Box(25, 25, 5, 5)))
    assert _roundtrip(history, project, made.id, lambda i: i.box) == (Box(5, 5, 25, 25), Box(0, 0, 10, 10), Box(5, 5, 25, 25))


def test_a_drag_is_one_undo_step(project, video, history):
    made = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 10, 10)))
    with history.group("Drag box"):
        for step in range(1, 6):
            history.push(edits.set_box(project, made.id, Box(step, 0, 10 + step, 10), gesture=("drag", made.id)))
    assert project.instances.get(made.id).box == Box(5, 0, 15, 10)
    assert history.texts() == (["Drag box"], [])
    history.undo()
    assert project.instances.get(made.id).box == Box(0, 0, 10, 10)
    assert not history.can_undo


def test_polygon_vertex_edits(project, video, history):
    triangle = np.array([[0, 0], [10, 0], [0, 10]], dtype=float)
    made = project.instances.add(Instance(video.id, 0))
    history.push(edits.add_polygon(project, made.id, triangle))
    polygon = lambda i: [p.tolist() for p in i.polygons]  # noqa: E731
    assert polygon(project.instances.get(made.id)) == [triangle.tolist()]

    history.push(edits.move_polygon_vertex(project, made.id, 0, 1, 20, 0))
    assert _roundtrip(history, project, made.id, polygon)[1] == [triangle.tolist()]
    assert polygon(project.instances.get(made.id))[0][1] == [20, 0]

    history.push(edits.insert_polygon_vertex(project, made.id, 0, 1, 5, -5))
    assert polygon(project.instances.get(made.id))[0] == [[0, 0], [5, -5], [20, 0], [0, 10]]
    history.push(edits.delete_polygon_vertex(project, made.id, 0, 1))
    assert polygon(project.instances.get(made.id))[0] == [[0, 0], [20, 0], [0, 10]]
    history.push(edits.delete_polygon_vertex(project, made.id, 0, 0))  # 2 left: the polygon goes
    assert project.instances.get(made.id).polygons == ()
    history.undo()
    assert len(project.instances.get(made.id).polygons) == 1
    with pytest.raises(InvalidEditError, match="at least 3"):
        edits.add_polygon(project, made.id, triangle[:2])


def test_mask_brush_and_eraser_strokes(project, video, history):
    made = project.instances.add(Instance(video.id, 0))
    history.push(edits.paint_mask(project, made.id, np.array([[100, 100], [140, 100]]), radius=5))
    painted = project.instances.get(made.id).mask.to_array()
    assert painted.shape == (480, 640) and painted[100, 120] and painted[104, 100] and not painted[110, 120]
    history.push(edits.paint_mask(project, made.id, np.array([[120, 100]]), radius=3, erase=True))
    erased = project.instances.get(made.id).mask.to_array()
    assert not erased[100, 120] and erased[100, 105]
    history.undo()
    assert np.array_equal(project.instances.get(made.id).mask.to_array(), painted)
    history.undo()
    assert project.instances.get(made.id).mask is None


def test_keypoint_move_and_visibility(project, video, catalog, history):
    made = project.instances.add(Instance(video.id, 0, skeleton_id=catalog["skeleton"].id))
    history.push(edits.move_keypoint(project, made.id, 1, 12.5, 7.25))
    keypoints = project.instances.get(made.id).keypoints
    assert keypoints.tolist()[1] == [12.5, 7.25, Visibility.VISIBLE]
    assert keypoints[0, 2] == Visibility.UNLABELLED
    history.push(edits.toggle_keypoint_visibility(project, made.id, 1))
    assert project.instances.get(made.id).keypoints[1, 2] == Visibility.OCCLUDED
    history.undo()
    assert project.instances.get(made.id).keypoints[1, 2] == Visibility.VISIBLE
    history.undo()
    assert project.instances.get(made.id).keypoints is None
    with pytest.raises(InvalidEditError, match="no node 7"):
        edits.move_keypoint(project, made.id, 7, 0, 0)


def test_class_and_track_changes(project, video, catalog, history):
    made = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 1, 1)))
    history.push(edits.set_instance_class(project, made.id, catalog["mouse"].id))
    history.push(edits.set_instance_track(project, made.id, catalog["alice"].id))
    assert (project.instances.get(made.id).class_id, project.instances.get(made.id).track_id) == (
        catalog["mouse"].id, catalog["alice"].id,
    )  # fmt: skip
    history.undo()
    assert project.instances.get(made.id).track_id is None
    history.undo()
    assert project.instances.get(made.id).class_id is None


def test_accept_and_reject_predictions(project, video, history):
    keep = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 1, 1), source="predicted", score=0.9))
    drop = project.instances.add(Instance(video.id, 0, box=Box(5, 5, 9, 9), source="predicted", score=0.2))
    history.push(edits.accept_prediction(project, keep.id))
    history.push(edits.reject_prediction(project, drop.id))
    assert [(i.id, i.source) for i in project.instances.on_frame(video.id, 0)] == [(keep.id, "user")]
    history.undo()
    history.undo()
    assert {(i.id, i.source) for i in project.instances.on_frame(video.id, 0)} == {(keep.id, "predicted"), (drop.id, "predicted")}
    with pytest.raises(InvalidEditError):
        edits.reject_prediction(project, project.instances.add(Instance(video.id, 1, box=Box(0, 0, 1, 1))).id)


def test_correcting_a_prediction_makes_it_a_user_label(project, video, history):
    made = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 10, 10), source="predicted", score=0.4))
    history.push(edits.set_box(project, made.id, Box(1, 1, 11, 11)))
    assert project.instances.get(made.id).source == "user"
    history.undo()
    assert project.instances.get(made.id).source == "predicted"


def test_a_failing_edit_changes_nothing_and_is_not_recorded(project, video, history):
    made = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 10, 10)))
    change = edits.set_box(project, made.id, Box(1, 1, 2, 2))
    project.instances.delete(made.id)
    with pytest.raises(Exception, match="no instance"):
        history.push(change)
    assert not history.can_undo


def test_listeners_hear_do_undo_redo_with_what_was_touched(project, video, history):
    heard = []
    history.subscribe(lambda edit, action: heard.append((action, edit.touched())))
    history.push(edits.AddInstance(Instance(video.id, 3, box=Box(0, 0, 1, 1))))
    history.undo()
    history.redo()
    assert [a for a, _ in heard] == ["do", "undo", "redo"]
    assert heard[0][1][0].frame_index == 3
