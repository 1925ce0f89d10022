"""The same store code on PostgreSQL, for labs that label as a team on a shared server.

Runs every annotation kind and the undo history against the throwaway PostgreSQL server of
tests/postgres_server.py (skipped, saying why, when there is none).
"""

from __future__ import annotations

import numpy as np
import pytest

from core.domain import BehaviourEvent, Box, Instance, LabelClass, Rle, Skeleton, Track, Video
from core.edits import DeleteRecord, EditHistory, move_keypoint, toggle_state_event
from core.project import Project

pytest.importorskip("psycopg")


@pytest.fixture
def pg_project(postgres_database):
    """A project on a database of its own on the test server (tests/conftest.py)."""
    url = postgres_database.replace("postgresql://", "postgresql+psycopg://")
    project = Project.connect(url)
    yield project, url
    project.close()


def test_every_annotation_kind_and_undo_on_postgresql(pg_project):
    project, url = pg_project
    video = project.videos.add(Video("/lab/cage.mp4", 100, 30.0, 64, 48, "a" * 64))
    mouse = project.label_classes.add(LabelClass("mouse"))
    skeleton = project.skeletons.add(Skeleton.from_names("m", ["snout", "tail"], [("snout", "tail")]))
    alice = project.tracks.add(Track("alice"))
    groom = project.behaviours.add(__import__("core.domain", fromlist=["Behaviour"]).Behaviour("groom", "g"))
    mask = np.zeros((48, 64), dtype=bool)
    mask[10:20, 10:30] = True
    made = project.instances.add(
        Instance(video.id, 3, class_id=mouse.id, track_id=alice.id, skeleton_id=skeleton.id, box=Box(1, 2, 3, 4),
                 polygons=(np.array([[0, 0], [5, 0], [0, 5]]),), mask=Rle.from_array(mask),
                 keypoints=np.array([[1, 2, 2], [0, 0, 0]]))
    )  # fmt: skip
    assert project.instances.on_frame(video.id, 3)[0].same_as(made)
    project.instances.add_many([Instance(video.id, f, box=Box(0, 0, 1, 1), source="predicted", score=0.5) for f in range(10)])

    history = EditHistory(project)
    history.push(move_keypoint(project, made.id, 1, 7, 8))
    history.push(toggle_state_event(project, video.id, groom.id, 5, alice.id))
    history.push(toggle_state_event(project, video.id, groom.id, 9, alice.id))
    history.push(DeleteRecord("tracks", alice.id))
    assert project.instances.get(made.id).track_id is None
    history.undo()
    assert project.instances.get(made.id).track_id == alice.id
    (event,) = project.events.in_video(video.id)
    assert (event.start_frame, event.end_frame, event.subject_id) == (5, 9, alice.id)
    history.undo()
    history.undo()
    history.undo()
    assert project.instances.get(made.id).keypoints[1, 2] == 0

    counts = project.counts()
    assert (counts.instances_user, counts.instances_predicted, counts.frames_labeled, counts.masks) == (1, 10, 1, 1)
    project.events.add(BehaviourEvent(video.id, groom.id, 0, None))
    with Project.connect(url) as second:  # a second client sees the same data
        assert second.counts().behaviour_events == 1
