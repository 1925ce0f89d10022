"""`track_video` against the store: tracks written, named, chunked, cancellable; and on real data."""

from __future__ import annotations

import threading

import pytest
from conftest import crossing_paths

from core.domain import Track
from core.project import Project
from core.runtime.cancel import Cancelled
from core.tracking import run as run_module
from core.tracking import track_video, tracking_report


def _tracks_by_animal(project, video, ids):
    return [{project.instances.get(ids[f][k]).track_id for f in ids} for k in range(2)]


def test_track_predictions_in_chunks_and_name_the_tracks(project, video, add_paths, monkeypatch):
    monkeypatch.setattr(run_module, "CHUNK_FRAMES", 7)  # tentative tracks span chunk boundaries
    ids = add_paths(crossing_paths(), source="predicted", score=0.9)
    old = project.tracks.add(Track("fragment"))
    project.instances.set_track([ids[0][0]], old.id)
    summary = track_video(project, video.id, "predicted", max_animals=2)
    a, b = _tracks_by_animal(project, video, ids)
    assert len(a) == len(b) == 1 and a != b
    assert [project.tracks.get(t).name for t in summary.track_ids] == ["animal 1", "animal 2"]
    assert (summary.instances, summary.instances_tracked, summary.tracks_created) == (120, 120, 2)
    assert summary.describe().startswith("tracked 120 of 120 instances on ") and "2 tracks (2 new)" in summary.describe()
    assert summary.emptied_track_ids == (old.id,)
    again = track_video(project, video.id, "predicted", max_animals=2)  # re-running reuses the names
    assert again.tracks_created == 0 and again.track_ids == summary.track_ids


def test_source_selects_what_is_tracked(project, video, add_paths):
    add_paths({f: [(10.0 + f, 10.0, 0.0)] for f in range(5)}, source="predicted", score=0.9)
    add_paths({f: [(10.0 + f, 90.0, 0.0)] for f in range(5)})
    summary = track_video(project, video.id, "user")
    assert summary.instances == 5
    assert all(i.track_id is None for i in project.instances.on_frame(video.id, 2, "predicted"))
    with pytest.raises(ValueError):
        track_video(project, video.id, "both")


def test_cancel_stops_between_chunks(project, video, add_paths, monkeypatch):
    monkeypatch.setattr(run_module, "CHUNK_FRAMES", 10)
    add_paths({f: [(10.0 + f, 10.0, 0.0)] for f in range(40)})
    cancel = threading.Event()
    calls = []

    def progress(done, total):
        calls.append(done)
        if done >= 20:
            cancel.set()

    with pytest.raises(Cancelled):
        track_video(project, video.id, "user", progress=progress, cancel=cancel)
    assert project.instances.on_frame(video.id, 5)[0].track_id is not None
    assert project.instances.on_frame(video.id, 35)[0].track_id is None


def test_clip_slp_first_300_frames(shared_data, tmp_path):
    from core.interchange.slp import import_slp

    with Project.create(tmp_path / "clip") as project:
        import_slp(project, shared_data / "sleap" / "clip.slp", frames=range(300))
        video = project.videos.all()[0]
        report = tracking_report(project, video.id)
        on_labels = report["tracker_on_labels"]
        assert on_labels["id_switches"] == 0 and on_labels["fraction_frames_correct"] == 1.0
        summary = track_video(project, video.id, "user", max_animals=2)
        assert len(summary.track_ids) == 2 and summary.instances_tracked == 600
