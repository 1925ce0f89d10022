"""Track edits (swap from here, assign, merge, split, delete): each one undoable, exactly."""

from __future__ import annotations

import pytest

from core import edits
from core.domain import BehaviourEvent, Track
from core.edits import EditHistory
from core.project import InvalidEditError


@pytest.fixture
def scene(project, video, add_paths):
    """Two tracks, A and B, on frames 0-9; B's instance on frame 5 is a prediction."""
    a = project.tracks.add(Track("A", "#ff0000"))
    b = project.tracks.add(Track("B", "#0000ff"))
    ids = add_paths({f: [(10.0 * f, 0.0, 0.0), (10.0 * f, 100.0, 0.0)] for f in range(10)}, track_ids=[a.id, b.id])
    return {"a": a.id, "b": b.id, "ids": ids}


def _state(project, video):
    """Every instance's track, and the tracks: what undo must restore exactly."""
    instances = {i.id: (i.track_id, i.source) for xs in project.instances.on_frames(video.id, 0, 100).values() for i in xs}
    return instances, project.tracks.all()


def _roundtrip(project, video, edit):
    history = EditHistory(project)
    before = _state(project, video)
    history.push(edit)
    done = _state(project, video)
    history.undo()
    assert _state(project, video) == before
    history.redo()
    assert _state(project, video) == done
    return done


def _track_of(project, instance_id):
    return project.instances.get(instance_id).track_id


def test_swap_two_tracks_from_a_frame_on(project, video, scene):
    a, b, ids = scene["a"], scene["b"], scene["ids"]
    _roundtrip(project, video, edits.swap_tracks(project, video.id, a, b, 4))
    assert [_track_of(project, ids[f][0]) for f in (0, 3, 4, 9)] == [a, a, b, b]
    assert [_track_of(project, ids[f][1]) for f in (0, 3, 4, 9)] == [b, b, a, a]


def test_swap_keeps_predictions_predictions(project, video, scene, add_paths):
    ids = add_paths({12: [(0.0, 0.0, 0.0)]}, source="predicted", track_ids=[scene["a"]], score=0.9)
    history = EditHistory(project)
    history.push(edits.swap_tracks(project, video.id, scene["a"], scene["b"], 10))
    changed = project.instances.get(ids[12][0])
    assert changed.track_id == scene["b"] and changed.source == "predicted"


def test_assign_an_instance_to_another_track_trades_identities_from_its_frame(project, video, scene):
    a, b, ids = scene["a"], scene["b"], scene["ids"]
    _roundtrip(project, video, edits.assign_track(project, ids[6][0], b))
    assert _track_of(project, ids[5][0]) == a and _track_of(project, ids[6][0]) == b
    assert _track_of(project, ids[6][1]) == a and _track_of(project, ids[9][1]) == a


def test_assign_an_untracked_instance_takes_the_track_from_whoever_had_it_on_that_frame(project, video, scene):
    b, ids = scene["b"], scene["ids"]
    project.instances.set_track([ids[3][0]], None)
    _roundtrip(project, video, edits.assign_track(project, ids[3][0], b))
    assert _track_of(project, ids[3][0]) == b and _track_of(project, ids[3][1]) is None
    assert _track_of(project, ids[4][1]) == b  # later frames untouched
    with pytest.raises(InvalidEditError):
        edits.assign_track(project, ids[3][0], b)


def test_merge_moves_instances_and_events_and_undo_restores_both_tracks(project, video, scene, add_paths, catalog):
    a = scene["a"]
    c = project.tracks.add(Track("C", "#00ff00")).id
    late = add_paths({20: [(0.0, 0.0, 0.0)], 21: [(1.0, 0.0, 0.0)]}, track_ids=[c])
    event = project.events.add(BehaviourEvent(video.id, catalog["groom"].id, 20, 21, subject_id=c))
    before = project.tracks.get(c)
    _roundtrip(project, video, edits.merge_tracks(project, a, c))
    assert _track_of(project, late[20][0]) == a and project.events.get(event.id).subject_id == a
    assert before not in project.tracks.all()
    history = EditHistory(project)
    history.push(edits.merge_tracks(project, a, project.tracks.add(Track("D")).id))  # an empty track merges too
    history.undo()
    assert project.tracks.find("D") is not None


def test_merge_refuses_tracks_that_share_a_frame(project, video, scene):
    with pytest.raises(InvalidEditError, match="both on 10 frame"):
        edits.merge_tracks(project, scene["a"], scene["b"])
    edit = edits.merge_tracks(project, scene["a"], scene["b"], allow_overlap=True)
    _roundtrip(project, video, edit)
    assert [t.name for t in project.tracks.all()] == ["A"]


def test_split_a_track_at_a_frame(project, video, scene):
    a, ids = scene["a"], scene["ids"]
    edit = edits.split_track(project, video.id, a, 7)
    _roundtrip(project, video, edit)
    new = project.tracks.find("A (2)")
    assert new is not None and edit.new_track.id == new.id
    assert [_track_of(project, ids[f][0]) for f in (6, 7, 9)] == [a, new.id, new.id]
    with pytest.raises(InvalidEditError):
        edits.split_track(project, video.id, a, 50)


def test_delete_a_track_keeps_its_instances(project, video, scene):
    ids = scene["ids"]
    _roundtrip(project, video, edits.delete_track(project, scene["b"]))
    assert project.instances.get(ids[0][1]).track_id is None
    assert len(project.tracks.all()) == 1


def test_a_new_instance_takes_the_chosen_track_only_where_it_is_free(project, video, scene):
    c = project.tracks.add(Track("C", "#00ff00"))
    assert edits.track_for_new_instance(project, video.id, 3, scene["a"]) is None  # A is on frame 3
    assert edits.track_for_new_instance(project, video.id, 5, scene["b"]) is None  # so is B, a prediction
    assert edits.track_for_new_instance(project, video.id, 3, c.id) == c.id
    assert edits.track_for_new_instance(project, video.id, 50, scene["a"]) == scene["a"]  # an empty frame
    assert edits.track_for_new_instance(project, video.id, 3, None) is None
