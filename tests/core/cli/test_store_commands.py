"""`ethoframe check` reports what is wrong with a project (exit 1) and `backup` copies it
consistently while it is being written; a full disk, a pipe given as a video, any OSError is
one line naming the file, never a traceback."""

from __future__ import annotations

import errno
import json
import os
import sys
import shutil
import sqlite3
from pathlib import Path

import pytest

from core.cli.main import main
from core.domain import Box, Instance, LabelClass, TrainingRun
from core.project import Project, ProjectError
from core.project import database as project_database
from core.workflows.videos import add_videos


@pytest.fixture
def labelled(project, tiny_video):
    (video,) = add_videos(project, [tiny_video])
    for frame in range(4):
        project.instances.add(Instance(video.id, frame, box=Box(2, 2, 20, 20)))
    return video


def _one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and len(captured.err.strip().splitlines()) == 1, captured.err
    return captured.err


def test_check_passes_a_healthy_project(project, labelled, capsys):
    assert main(["check", str(project.folder)]) == 0
    out = capsys.readouterr().out
    assert "no problems found" in out and "sqlite:" in out and "instances: 4" in out


def test_check_reports_each_kind_of_damage_and_exits_nonzero(project, labelled, capsys, tmp_path):
    folder = project.folder
    run = project.training_runs.add(TrainingRun("detect", {}, started_at="2026-01-01T00:00:00+00:00"))
    (folder / "models" / f"detect-{run.id:03d}").mkdir(parents=True)
    (folder / "models" / f"detect-{run.id:03d}" / "last.pt.partial").write_bytes(b"\0" * 64)
    project.close()
    connection = sqlite3.connect(folder / "project.sqlite")
    connection.execute("UPDATE instances SET x2 = 1e999 WHERE id = 1")  # Inf
    connection.execute("UPDATE instances SET x1 = 1e300, x2 = 2e300 WHERE id = 2")  # far outside
    connection.execute("UPDATE instances SET mask = '{\"size\": [5, 5], \"counts\": \"x\"}' WHERE id = 3")
    connection.execute("INSERT INTO frames (video_id, frame_index) VALUES (1, 999)")
    connection.execute("INSERT INTO instances (frame_id, source, x1, y1, x2, y2) VALUES (last_insert_rowid(), 'user', 1, 1, 5, 5)")
    connection.execute("CREATE TRIGGER sneaky AFTER INSERT ON instances BEGIN DELETE FROM instances; END")
    connection.commit()
    connection.close()
    os.unlink(labelled.path)
    assert main(["check", str(folder), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    kinds = {p["kind"]: p for p in report["problems"]}
    assert {
        "box not finite", "box outside its frame", "mask of another size than its frame", "frame outside its video",
        "database object Ethoframe did not create", "video file missing", "half-written file",
        "training run left running by a process that is gone",
    } <= set(kinds), sorted(kinds)
    assert "instance 1 " in kinds["box not finite"]["examples"][0]


def test_check_finds_keypoints_polygons_and_scores_that_are_off(project, labelled, capsys):
    import numpy as np

    folder = project.folder
    project.close()
    connection = sqlite3.connect(folder / "project.sqlite")
    outside = np.array([[10, 10, 2], [1000, 10, 2], [-5000, 0, 0]], dtype="<f4").tobytes()  # node 3 unlabelled: fine
    connection.execute("UPDATE instances SET keypoints = ?, keypoint_scores = ? WHERE id = 1", (outside, b"\0" * 8))
    nan = np.array([[np.nan, 1, 2]], dtype="<f4").tobytes()
    connection.execute("UPDATE instances SET keypoints = ? WHERE id = 2", (nan,))
    connection.execute("UPDATE instances SET polygons = '[[1, 1, 500, 1, 3, 3]]' WHERE id = 3")
    connection.execute("UPDATE instances SET x2 = x1, score = -1e999 WHERE id = 4")
    connection.commit()
    connection.close()
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    for kind in ("keypoint outside its frame: 1", "keypoint scores malformed: 1", "keypoints not finite: 1",
                 "polygon outside its frame: 1", "box of no size: 1", "score not finite: 1"):  # fmt: skip
        assert kind in out, out


def test_check_repair_marks_dead_runs_and_removes_partials(project, capsys):
    run = project.training_runs.add(TrainingRun("detect", {}, started_at="2026-01-01T00:00:00+00:00"))
    partial = project.folder / "models" / f"detect-{run.id:03d}" / "last.pt.partial"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"\0" * 64)
    assert main(["check", str(project.folder), "--repair"]) == 0
    assert not partial.exists() and project.training_runs.get(run.id).status == "failed"


def test_backup_copies_what_is_still_in_the_wal_while_the_project_is_open(project, labelled, tmp_path, capsys):
    for frame in range(4, 12):  # committed, but still in project.sqlite-wal: the project stays open
        project.instances.add(Instance(labelled.id, frame, box=Box(1, 1, 9, 9)))
    naive = tmp_path / "naive"
    naive.mkdir()
    shutil.copy(project.folder / "project.sqlite", naive / "project.sqlite")  # what a file manager does
    try:
        with Project.open(naive) as copied:
            lost = copied.instances.count() < 12
    except ProjectError:  # even the tables may still be in the WAL only
        lost = True
    assert lost  # the naive copy lost what was in the WAL
    assert main(["backup", str(project.folder), str(tmp_path / "backup")]) == 0
    assert "integrity ok" in capsys.readouterr().out
    with Project.open(tmp_path / "backup") as restored:
        assert restored.instances.count() == 12
    assert main(["backup", str(project.folder), str(tmp_path / "backup")]) == 1  # never over an existing one
    assert "already exists" in _one_line_error(capsys)


def test_a_full_disk_while_training_is_one_line_naming_the_file(project, labelled, capsys, monkeypatch, request):
    import torch

    from core.ml.tasks import registry

    sys.path.insert(0, str(Path(__file__).parents[1] / "ml"))
    from toy_detect_task import ToyDetectTask

    stand_in = registry.registered(ToyDetectTask("detect"))  # no real network needed
    stand_in.__enter__()
    request.addfinalizer(lambda: stand_in.__exit__(None, None, None))

    def full_disk(obj, path, *args, **kwargs):
        Path(path).write_bytes(b"\0" * 1024)
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(torch, "save", full_disk)
    assert main(["train", str(project.folder), "--task", "detect", "--epochs", "1"]) == 1
    err = capsys.readouterr().err  # the progress lines come first, then the error
    error = err.strip().splitlines()[-1]
    assert "Traceback" not in err and error.startswith("ethoframe train: error:")
    assert "No space left on device" in error and ".pt.partial" in error
    (run,) = project.training_runs.all()
    assert run.status == "failed" and not list(project.models_folder.rglob("*.partial"))


def test_a_full_disk_under_the_database_is_one_line_and_changes_nothing(project, labelled, capsys, monkeypatch, tmp_path):
    rat = project.label_classes.add(LabelClass("rat"))
    project.instances.add_many(Instance(labelled.id, f % 20, box=Box(1, 1, 30, 30), class_id=rat.id) for f in range(300))
    other = tmp_path / "other.json"
    assert main(["export", str(project.folder), str(other), "--format", "coco"]) == 0
    capsys.readouterr()
    real = project_database.make_engine

    def full_disk_engine(url):
        engine = real(url)

        @project_database.event.listens_for(engine, "connect")
        def _full(dbapi_connection, _record):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count={pages}")  # not one page more: SQLITE_FULL

        return engine

    monkeypatch.setattr("core.project.project.make_engine", full_disk_engine)
    before = project.instances.count()
    assert main(["import", str(project.folder), str(other)]) == 1
    error = _one_line_error(capsys)
    assert "database or disk is full" in error and "project" in error, error
    assert project.instances.count() == before


def test_a_pipe_given_as_a_video_is_refused_not_waited_on(project, tmp_path, capsys):
    fifo = tmp_path / "video.mp4"
    os.mkfifo(fifo)
    assert main(["add-video", str(project.folder), str(fifo)]) == 1
    assert "not a regular file" in _one_line_error(capsys)
    assert project.videos.all() == []
