"""The project store keeps every annotation kind exactly, counts it, and refuses bad files."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from core.domain import Behaviour, BehaviourEvent, Box, Instance, LabelClass, ModelRecord, Rle, Suggestion, TrainingRun, Video
from core.project import (
    NewerSchemaError,
    NotAProjectError,
    NotFoundError,
    Project,
    ProjectExistsError,
    ProjectReadOnlyError,
    VideoRelinkError,
)
from core.project import migrations
from core.project import schema


def test_every_annotation_kind_round_trips(project, video, catalog):
    mask = np.zeros((480, 640), dtype=bool)
    mask[100:150, 200:260] = True
    keypoints = np.array([[10.5, 20.25, 2], [30, 40, 1], [0, 0, 0]], dtype=np.float32)
    made = project.instances.add(
        Instance(
            video.id, 7, class_id=catalog["mouse"].id, track_id=catalog["alice"].id,
            skeleton_id=catalog["skeleton"].id, box=Box(200, 100, 260, 150),
            polygons=(np.array([[200, 100], [260, 100], [230, 150]]),), mask=Rle.from_array(mask),
            keypoints=keypoints,
        )
    )  # fmt: skip
    (loaded,) = project.instances.on_frame(video.id, 7)
    assert loaded.same_as(made)
    assert np.array_equal(loaded.mask.to_array(), mask)
    assert loaded.keypoints.dtype == np.float32 and loaded.keypoints[0, 1] == 20.25
    assert loaded.mask.bounding_box() == Box(200, 100, 260, 150)


def test_predictions_carry_score_model_and_keypoint_scores(project, video, catalog):
    model = project.models.add(ModelRecord("pose-1", "pose", "models/pose-1", {"epochs": 3}, {"pck": 0.9}))
    predicted = Instance(
        video.id, 3, skeleton_id=catalog["skeleton"].id, keypoints=np.ones((3, 3)),
        keypoint_scores=np.array([0.9, 0.5, 0.1]), source="predicted", score=0.7, model_id=model.id,
    )  # fmt: skip
    assert project.instances.add_many([predicted, predicted.with_changes(frame_index=4)]) == 2
    loaded = project.instances.on_frame(video.id, 4)[0]
    assert loaded.is_predicted and loaded.model_id == model.id and loaded.score == pytest.approx(0.7)
    assert np.allclose(loaded.keypoint_scores, [0.9, 0.5, 0.1])
    assert project.instances.delete_predictions(video.id, start=4) == 1
    assert project.instances.on_frame(video.id, 4) == []


def test_user_labels_come_before_predictions_on_a_frame(project, video):
    project.instances.add(Instance(video.id, 0, box=Box(0, 0, 1, 1), source="predicted", score=0.5))
    project.instances.add(Instance(video.id, 0, box=Box(0, 0, 2, 2)))
    assert [i.source for i in project.instances.on_frame(video.id, 0)] == ["user", "predicted"]
    assert [i.source for i in project.instances.on_frame(video.id, 0, source="predicted")] == ["predicted"]


def test_behaviour_events_open_and_closed(project, video, catalog):
    groom = catalog["groom"]
    closed = project.events.add(BehaviourEvent(video.id, groom.id, 10, 20, catalog["bob"].id))
    running = project.events.add(BehaviourEvent(video.id, groom.id, 50, None))
    assert project.events.open_event(video.id, groom.id, None).id == running.id
    assert project.events.open_event(video.id, groom.id, catalog["bob"].id) is None
    assert [e.id for e in project.events.in_video(video.id, start=15, stop=30)] == [closed.id]
    assert [e.id for e in project.events.in_video(video.id, start=60)] == [running.id]
    predicted = project.events.add(
        BehaviourEvent(video.id, groom.id, 0, 3, source="predicted", probabilities=np.array([0.1, 0.9, 0.8, 0.2]))
    )
    assert np.allclose(project.events.get(predicted.id).probabilities, [0.1, 0.9, 0.8, 0.2])
    with pytest.raises(ValueError, match="before it starts"):
        BehaviourEvent(video.id, groom.id, 10, 5)


def test_counts_cover_every_kind(project, video, catalog):
    project.instances.add(Instance(video.id, 1, box=Box(0, 0, 5, 5), class_id=catalog["mouse"].id))
    project.instances.add(Instance(video.id, 1, polygons=(np.array([[0, 0], [4, 0], [0, 4]]),)))
    project.instances.add(Instance(video.id, 2, keypoints=np.zeros((3, 3)), skeleton_id=catalog["skeleton"].id))
    project.instances.add(Instance(video.id, 9, box=Box(0, 0, 5, 5), source="predicted", score=0.3))
    project.events.add(BehaviourEvent(video.id, catalog["groom"].id, 0, 4))
    project.suggestions.replace(video.id, "uniform", [Suggestion(video.id, 5, "uniform")])
    counts = project.counts().as_dict()
    assert counts | {} == {
        "videos": 1, "frames_labeled": 2, "instances_user": 3, "instances_predicted": 1, "boxes": 2,
        "masks": 1, "keypoint_instances": 1, "behaviour_events": 1, "tracks": 2, "models": 0,
        "label_classes": 1, "skeletons": 1, "behaviours": 2, "suggestions": 1,
    }  # fmt: skip
    assert project.instances.labeled_frames() == [(video.id, 1), (video.id, 2)]


def test_deleting_a_class_restores_its_instances_on_restore(project, video, catalog):
    made = project.instances.add(Instance(video.id, 1, box=Box(0, 0, 5, 5), class_id=catalog["mouse"].id))
    removal = project.label_classes.delete(catalog["mouse"].id)
    assert project.instances.get(made.id).class_id is None
    project.label_classes.restore(removal)
    assert project.instances.get(made.id).class_id == catalog["mouse"].id


def test_deleting_a_behaviour_cascades_to_its_events_and_restores_them(project, video, catalog):
    event = project.events.add(BehaviourEvent(video.id, catalog["groom"].id, 0, 4))
    removal = project.behaviours.delete(catalog["groom"].id)
    with pytest.raises(NotFoundError):
        project.events.get(event.id)
    project.behaviours.restore(removal)
    assert project.events.get(event.id).end_frame == 4


def test_a_transaction_commits_all_or_nothing(project, video):
    with pytest.raises(RuntimeError):
        with project.transaction():
            project.instances.add(Instance(video.id, 0, box=Box(0, 0, 1, 1)))
            raise RuntimeError("crash in the middle of an edit")
    assert project.instances.on_frame(video.id, 0) == []


@pytest.mark.sqlite_only
def test_reopening_keeps_everything(tmp_path, project, video, catalog):
    project.instances.add(Instance(video.id, 1, box=Box(0, 0, 5, 5)))
    project.training_runs.add(TrainingRun("detect", {"epochs": 1}))
    folder = project.folder
    project.close()
    with Project.open(folder) as reopened:
        assert reopened.counts().instances_user == 1
        assert reopened.skeletons.find("mouse").nodes == ("snout", "left_ear", "right_ear")
        assert reopened.training_runs.all()[0].status == "running"
        assert (folder / "models").is_dir() and (folder / "exports").is_dir()


@pytest.mark.sqlite_only
def test_wal_mode_and_foreign_keys_are_on(project):
    with project.db.reading() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# --- bad input ---------------------------------------------------------------------------------


def test_a_folder_without_a_project_is_refused(tmp_path):
    with pytest.raises(NotAProjectError, match="not an Ethoframe project"):
        Project.open(tmp_path)


def test_a_file_that_is_not_a_database_is_refused_unchanged(tmp_path):
    (tmp_path / "project.sqlite").write_bytes(b"these are not the bytes of a database" * 10)
    with pytest.raises(NotAProjectError, match="not an Ethoframe project database"):
        Project.open(tmp_path)
    assert (tmp_path / "project.sqlite").read_bytes().startswith(b"these are not")


def test_another_programs_sqlite_database_is_refused(tmp_path):
    connection = sqlite3.connect(tmp_path / "project.sqlite")
    connection.execute("CREATE TABLE other (x)")
    connection.close()
    with pytest.raises(NotAProjectError, match="not an Ethoframe project"):
        Project.open(tmp_path)


@pytest.mark.sqlite_only
def test_a_project_from_a_newer_schema_is_refused_unchanged(project):
    folder = project.folder
    with project.transaction() as connection:
        connection.execute(schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="99"))
    project.close()
    before = (folder / "project.sqlite").read_bytes()
    with pytest.raises(NewerSchemaError, match="newer Ethoframe"):
        Project.open(folder)
    assert (folder / "project.sqlite").read_bytes() == before


@pytest.mark.sqlite_only
def test_an_older_schema_is_upgraded_after_a_backup(project, monkeypatch):
    folder = project.folder
    project.close()
    ran = []
    current = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(migrations.MIGRATIONS, current, lambda connection: ran.append(current))
    with Project.open(folder) as upgraded:
        with upgraded.db.reading() as connection:
            assert migrations.read_version(connection) == current + 1
    assert ran == [current]
    assert (folder / f"project.sqlite.v{current}.bak").is_file()


@pytest.mark.sqlite_only
def test_a_read_only_folder_is_refused_with_a_clear_message(project, monkeypatch):
    folder = project.folder
    project.close()
    # Tests run as root on CI, where chmod cannot make a folder read-only: ask os.access instead.
    monkeypatch.setattr("core.project.project.os.access", lambda path, mode: False)
    with pytest.raises(ProjectReadOnlyError, match="read-only"):
        Project.open(folder)


@pytest.mark.sqlite_only
def test_creating_over_an_existing_project_is_refused(project):
    with pytest.raises(ProjectExistsError):
        Project.create(project.folder)


def test_relinking_checks_the_fingerprint(project, video, tmp_path):
    with pytest.raises(VideoRelinkError, match="not the same video"):
        project.videos.relink(video.id, tmp_path / "other.mp4", "0" * 64)
    moved = project.videos.relink(video.id, tmp_path / "moved.mp4", video.fingerprint)
    assert moved.path == str((tmp_path / "moved.mp4").resolve())
    assert project.videos.missing() == [moved]


def test_a_video_without_fingerprint_takes_the_first_file_offered(project, tmp_path):
    imported = project.videos.add(Video("/elsewhere/session1.mp4", 10, 30.0, 64, 48, ""))
    relinked = project.videos.relink(imported.id, tmp_path / "session1.mp4", "ab" * 32)
    assert relinked.fingerprint == "ab" * 32
    with pytest.raises(VideoRelinkError):
        project.videos.relink(imported.id, tmp_path / "other.mp4", "cd" * 32)


def test_unknown_records_raise_not_found(project):
    with pytest.raises(NotFoundError, match="no instance with id 42"):
        project.instances.get(42)
    with pytest.raises(NotFoundError, match="no label class"):
        project.label_classes.get(42)


def test_names_are_unique_per_catalog(project):
    project.label_classes.add(LabelClass("mouse"))
    with pytest.raises(Exception):
        project.label_classes.add(LabelClass("mouse"))
    assert [c.name for c in project.label_classes.all()] == ["mouse"]
    project.behaviours.add(Behaviour("walk", "w"))
    assert project.behaviours.by_key("w").name == "walk"


def test_track_frames_lists_where_each_track_appears(project, video, catalog):
    alice, bob = catalog["alice"].id, catalog["bob"].id
    for frame in (3, 1, 2):
        project.instances.add(Instance(video.id, frame, box=Box(0, 0, 1, 1), track_id=alice))
    project.instances.add(Instance(video.id, 7, box=Box(0, 0, 1, 1), track_id=bob, source="predicted", score=0.5))
    project.instances.add(Instance(video.id, 8, box=Box(0, 0, 1, 1)))  # no track
    frames = project.instances.track_frames(video.id)
    assert {k: v.tolist() for k, v in frames.items()} == {alice: [1, 2, 3], bob: [7]}
