"""Ids are never handed out twice (old projects are upgraded to that), and a project carrying
database objects Ethoframe did not create is refused, or cleaned only when asked."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import MetaData, create_engine, insert

from core.domain import Box, Instance, Track
from core.project import ForeignSchemaError, Project
from core.project import migrations
from core.project import schema


def test_a_deleted_instance_id_is_not_handed_out_again(project, video):
    first = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 5, 5)))
    project.instances.delete(first.id)
    second = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 5, 5)))
    assert second.id != first.id
    track = project.tracks.add(Track("a", "#ffffff"))
    project.tracks.delete(track.id)
    assert project.tracks.add(Track("b", "#ffffff")).id != track.id


def _version_1_database(path) -> None:
    """A project as Ethoframe 1 wrote it: plain INTEGER PRIMARY KEY ids, schema version 1."""
    old = MetaData()
    for table in schema.metadata.sorted_tables:
        copy = table.to_metadata(old)
        copy.dialect_options["sqlite"]["autoincrement"] = False
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        old.create_all(connection)
        connection.execute(insert(old.tables["meta"]), [
            {"key": "application", "value": "ethoframe"}, {"key": "schema_version", "value": "1"},
            {"key": "name", "value": "old"},
        ])  # fmt: skip
        connection.execute(insert(old.tables["videos"]).values(
            id=1, path="/v.mp4", name="v", fingerprint="f", frame_count=10, fps=30.0, width=64, height=48
        ))  # fmt: skip
        connection.execute(insert(old.tables["frames"]).values(id=1, video_id=1, frame_index=3))
        connection.execute(insert(old.tables["instances"]), [
            {"id": n, "frame_id": 1, "source": "user", "x1": 1.0, "y1": 2.0, "x2": 3.0, "y2": 4.0} for n in (1, 2, 3)
        ])  # fmt: skip
    engine.dispose()
    connection = sqlite3.connect(path)
    assert "AUTOINCREMENT" not in connection.execute("SELECT sql FROM sqlite_master WHERE name='instances'").fetchone()[0]
    connection.close()


def test_a_version_1_project_is_upgraded_to_ids_never_reused_keeping_every_row(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    _version_1_database(folder / "project.sqlite")
    with Project.open(folder) as project:
        with project.db.reading() as connection:
            assert migrations.read_version(connection) == schema.SCHEMA_VERSION
            sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name='instances'").scalar_one()
            indexes = {r[0] for r in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'")}
        assert "AUTOINCREMENT" in sql
        assert {"ix_instances_frame", "ix_instances_source_frame", "ix_instances_track"} <= indexes
        kept = project.instances.on_frame(1, 3)
        assert [i.id for i in kept] == [1, 2, 3] and kept[0].box == Box(1, 2, 3, 4)
        project.instances.delete(3)
        assert project.instances.add(Instance(1, 3, box=Box(0, 0, 1, 1))).id == 4
        project.videos.delete(1)  # the cascade to frames and instances still holds after the rebuild
        assert project.instances.count() == 0
    assert (folder / "project.sqlite.v1.bak").is_file()


def _wiping_trigger(folder) -> None:
    connection = sqlite3.connect(folder / "project.sqlite")
    connection.execute("CREATE TRIGGER wipe AFTER INSERT ON instances BEGIN DELETE FROM instances WHERE id != NEW.id; END")
    connection.execute("CREATE VIEW everything AS SELECT * FROM instances")
    connection.commit()
    connection.close()


def test_a_project_with_a_trigger_that_would_wipe_labels_is_refused_unchanged(project, video):
    for frame in range(5):
        project.instances.add(Instance(video.id, frame, box=Box(0, 0, 5, 5)))
    folder = project.folder
    project.close()
    _wiping_trigger(folder)
    before = (folder / "project.sqlite").read_bytes()
    with pytest.raises(ForeignSchemaError, match="trigger 'wipe' on instances.*view 'everything'"):
        Project.open(folder)
    assert (folder / "project.sqlite").read_bytes() == before


def test_foreign_objects_are_dropped_only_when_asked_keeping_a_copy(project, video):
    for frame in range(5):
        project.instances.add(Instance(video.id, frame, box=Box(0, 0, 5, 5)))
    folder = project.folder
    project.close()
    _wiping_trigger(folder)
    with Project.open(folder, drop_foreign_schema=True) as cleaned:
        cleaned.instances.add(Instance(video.id, 9, box=Box(0, 0, 5, 5)))
        assert cleaned.instances.count() == 6  # the trigger is gone: nothing was wiped
    assert (folder / "project.sqlite.foreign.bak").is_file()
    with Project.open(folder) as reopened:
        assert reopened.instances.count() == 6


def test_a_version_2_project_gains_the_origin_of_its_instances(project, video):
    project.instances.add(Instance(video.id, 0, box=Box(0, 0, 5, 5)))
    folder = project.folder
    project.close()
    connection = sqlite3.connect(folder / "project.sqlite")
    connection.execute("ALTER TABLE instances DROP COLUMN origin")
    connection.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()
    with Project.open(folder) as upgraded:
        (kept,) = upgraded.instances.on_frame(video.id, 0)
        assert kept.origin is None
        made = upgraded.instances.add(Instance(video.id, 1, box=Box(0, 0, 5, 5), origin="coco:a.json"))
        assert upgraded.instances.get(made.id).origin == "coco:a.json"
