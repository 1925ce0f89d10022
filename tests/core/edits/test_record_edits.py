"""Catalog edits (classes, skeletons, tracks, behaviours) undo with everything they touched."""

from __future__ import annotations

from core import edits
from core.domain import BehaviourEvent, Box, Instance, LabelClass, Skeleton, Track
from core.edits import EditHistory


def test_add_rename_delete_a_track_and_undo_all(project, video):
    history = EditHistory(project)
    track = history.push(edits.AddRecord("tracks", Track("female", "#ff00ff"))).record
    made = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 1, 1), track_id=track.id))
    history.push(edits.change_record(project, "tracks", track.id, name="queen"))
    assert project.tracks.get(track.id).name == "queen"
    history.push(edits.DeleteRecord("tracks", track.id))
    assert project.instances.get(made.id).track_id is None
    history.undo()
    assert project.instances.get(made.id).track_id == track.id
    history.undo()
    assert project.tracks.get(track.id).name == "female"
    project.instances.delete(made.id)
    history.undo()
    assert project.tracks.all() == []


def test_delete_a_behaviour_with_events_and_undo(project, video, catalog):
    history = EditHistory(project)
    event = project.events.add(BehaviourEvent(video.id, catalog["groom"].id, 1, 2))
    history.push(edits.DeleteRecord("behaviours", catalog["groom"].id))
    assert project.events.in_video(video.id) == []
    history.undo()
    assert project.events.get(event.id).behaviour_id == catalog["groom"].id


def test_add_class_and_skeleton(project):
    history = EditHistory(project)
    history.push(edits.AddRecord("label_classes", LabelClass("fly")))
    history.push(edits.AddRecord("skeletons", Skeleton.from_names("fly", ["head", "thorax"], [("head", "thorax")])))
    assert [c.name for c in project.label_classes.all()] == ["fly"]
    assert project.skeletons.find("fly").edges == ((0, 1),)
    history.undo()
    history.undo()
    assert project.label_classes.all() == [] and project.skeletons.all() == []
