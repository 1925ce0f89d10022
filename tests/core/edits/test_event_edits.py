"""Behaviour coding edits: start/stop by key, point events, resize, delete, all undoable."""

from __future__ import annotations

import pytest

from core import edits
from core.domain import BehaviourEvent
from core.edits import EditHistory
from core.project import InvalidEditError, NotFoundError


@pytest.fixture
def history(project):
    return EditHistory(project)


def test_a_key_starts_then_stops_a_state_event(project, video, catalog, history):
    groom = catalog["groom"].id
    history.push(edits.toggle_state_event(project, video.id, groom, 10))
    (running,) = project.events.in_video(video.id)
    assert running.is_open and running.start_frame == 10
    history.push(edits.toggle_state_event(project, video.id, groom, 25))
    assert project.events.get(running.id).end_frame == 25
    history.undo()
    assert project.events.get(running.id).is_open
    history.undo()
    assert project.events.in_video(video.id) == []


def test_state_events_are_per_subject(project, video, catalog, history):
    groom, alice, bob = catalog["groom"].id, catalog["alice"].id, catalog["bob"].id
    history.push(edits.toggle_state_event(project, video.id, groom, 0, alice))
    history.push(edits.toggle_state_event(project, video.id, groom, 5, bob))
    history.push(edits.toggle_state_event(project, video.id, groom, 9, alice))
    by_subject = {e.subject_id: e for e in project.events.in_video(video.id)}
    assert (by_subject[alice].start_frame, by_subject[alice].end_frame) == (0, 9)
    assert by_subject[bob].is_open


def test_point_events_take_one_frame(project, video, catalog, history):
    history.push(edits.toggle_state_event(project, video.id, catalog["rear"].id, 42))
    (event,) = project.events.in_video(video.id)
    assert (event.start_frame, event.end_frame) == (42, 42)
    with pytest.raises(InvalidEditError, match="point event"):
        edits.start_state_event(project, video.id, catalog["rear"].id, 1)


def test_stop_before_start_is_refused(project, video, catalog, history):
    history.push(edits.start_state_event(project, video.id, catalog["groom"].id, 30))
    (event,) = project.events.in_video(video.id)
    with pytest.raises(InvalidEditError, match="started at frame 30"):
        edits.stop_state_event(project, event.id, 20)
    with pytest.raises(InvalidEditError, match="already running"):
        edits.start_state_event(project, video.id, catalog["groom"].id, 40)


def test_resize_and_delete(project, video, catalog, history):
    event = project.events.add(BehaviourEvent(video.id, catalog["groom"].id, 10, 20))
    history.push(edits.resize_event(project, event.id, 8, 30))
    assert (project.events.get(event.id).start_frame, project.events.get(event.id).end_frame) == (8, 30)
    history.undo()
    assert (project.events.get(event.id).start_frame, project.events.get(event.id).end_frame) == (10, 20)
    with pytest.raises(InvalidEditError):
        edits.resize_event(project, event.id, 30, 8)
    history.push(edits.DeleteEvent(event.id))
    with pytest.raises(NotFoundError):
        project.events.get(event.id)
    history.undo()
    assert project.events.get(event.id).end_frame == 20


def test_a_whole_bout_and_its_subject(project, video, catalog, history):
    history.push(edits.add_state_event(project, video.id, catalog["groom"].id, 3, 9))
    (event,) = project.events.in_video(video.id)
    history.push(edits.set_event_subject(project, event.id, catalog["bob"].id))
    assert project.events.get(event.id).subject_id == catalog["bob"].id
    history.undo()
    assert project.events.get(event.id).subject_id is None
    with pytest.raises(InvalidEditError):
        edits.add_state_event(project, video.id, catalog["groom"].id, 9, 3)


def test_editing_a_predicted_event_makes_it_the_users(project, video, catalog, history):
    event = project.events.add(BehaviourEvent(video.id, catalog["groom"].id, 10, 20, source="predicted", score=0.6))
    history.push(edits.resize_event(project, event.id, 12, 20))
    assert project.events.get(event.id).source == "user"
