"""The store's check of its own database file (`ethoframe check`'s database half): read-only,
and it names what is wrong."""

from __future__ import annotations

from core.domain import Box, Instance, TrainingRun
from core.project.file_check import check_database


def test_a_sound_database_is_reported_with_its_facts(project, video):
    project.instances.add(Instance(video.id, 3, box=Box(1, 1, 20, 20)))
    report = check_database(project.folder)
    assert list(report.problems) == ["video file missing"], report.as_text()  # the fixture's video has no file
    assert report.facts["videos"] == 1 and report.facts["instances"] == 1
    assert report.running_runs == []


def test_stored_geometry_outside_its_frame_and_runs_left_running_are_found(project, video):
    project.instances.add(Instance(video.id, 3, box=Box(1, 1, 2000, 20)))  # the video is 640 wide
    run = project.training_runs.add(TrainingRun("detect", {"epochs": 1}))
    written = (project.folder / "project.sqlite").stat().st_mtime_ns
    report = check_database(project.folder)
    assert list(report.problems) == ["video file missing", "box outside its frame"]
    assert [(r[0], r[1]) for r in report.running_runs] == [(run.id, "detect")]  # the caller judges them
    assert (project.folder / "project.sqlite").stat().st_mtime_ns == written  # read only


def test_a_damaged_file_is_reported_unreadable(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "project.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x07" * 4096)
    report = check_database(folder)
    assert "unreadable" in report.problems and not report.ok
