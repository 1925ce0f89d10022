"""BORIS: project files and tabular exports, read and written, times mapped to frames."""

from __future__ import annotations

import csv
import json

import pytest

from core.interchange import MalformedFileError, detect_format, export, import_file

from interchange_helpers import events_snapshot, fill


def test_project_file_ethogram_subjects_and_events(data, new_project):
    project = new_project("p")
    summary = import_file(project, data / "boris" / "test.boris")
    behaviours = {b.name: b for b in project.behaviours.all()}
    assert {n: (b.key, b.kind) for n, b in behaviours.items()} == {
        "p": ("p", "point"), "s": ("s", "state"), "q": ("q", "point"), "r": ("r", "state"), "m": ("m", "state"),
    }  # fmt: skip
    assert sorted(t.name for t in project.tracks.all()) == ["subject1", "subject2"]
    assert summary.events == project.events.count() > 0
    video = next(v for v in project.videos.all() if v.path.endswith("video_test_25fps_360s.mp4"))
    assert video.fps == 25.0
    states = [e for e in project.events.in_video(video.id) if e.behaviour_id == behaviours["s"].id and e.subject_id is not None]
    # observation #1 codes s for subject1 from 3.3 s to 7.75 s: frames 82 (round-half-even of 82.5) to 194
    assert (states[0].start_frame, states[0].end_frame) == (82, 194)
    assert any("LIVE" in note for note in summary.notes)


@pytest.mark.parametrize("name", ["test_export_events_tabular.csv", "test_export_events_tabular.tsv"])
def test_tabular_export(data, new_project, name):
    assert detect_format(data / "boris" / name) == "boris"
    project = new_project("p")
    import_file(project, data / "boris" / name)
    events = sorted(events_snapshot(project), key=lambda e: e[3])
    assert [(e[2], e[3], e[4]) for e in events] == [
        ("subject1", 82, 194), ("subject1", 248, 405), ("subject1", 459, 612), ("subject2", 961, 1152),
    ]


def test_aggregated_export(data, new_project):
    project = new_project("p")
    summary = import_file(project, data / "boris" / "test_export_aggregated_events_test_full_1.tsv")
    assert summary.events == 18 and summary.behaviours == 2


@pytest.mark.parametrize("suffix", [".boris", ".csv", ".tsv"])
def test_round_trip_with_frames_and_times(tmp_path, new_project, suffix):
    original = new_project("a")
    fill(original, tmp_path / "frames", set())
    out = tmp_path / f"events{suffix}"
    export(original, out, "boris")
    if suffix == ".boris":
        document = json.loads(out.read_text())
        (observation,) = document["observations"].values()
        assert observation["events"][0][0] == pytest.approx(1 / 30) and observation["events"][0][5] == 1
    else:
        rows = list(csv.reader(open(out), delimiter="\t" if suffix == ".tsv" else ","))
        assert rows[0][:2] == ["Time", "Image index"] and rows[1][:2] == ["0.033", "1"]
    again = new_project("b")
    import_file(again, out)
    fields = lambda p: [(e[1][0], e[1][2], e[2], e[3], e[4]) for e in events_snapshot(p)]  # noqa: E731
    assert fields(again) == fields(original)
    if suffix == ".boris":
        assert events_snapshot(again) == events_snapshot(original)  # keys too
        assert len(again.videos.all()) == 1  # the image-folder video, matched by its path


def test_unknown_behaviour_names_the_event_and_changes_nothing(data, tmp_path, new_project):
    document = json.loads((data / "boris" / "test.boris").read_text())
    document["observations"]["observation #1"]["events"][2][2] = "zz"
    path = tmp_path / "bad.boris"
    path.write_text(json.dumps(document))
    project = new_project("p")
    with pytest.raises(MalformedFileError, match="observation 'observation #1', event 3: behaviour 'zz'"):
        import_file(project, path)
    assert project.counts().behaviour_events == 0 and project.counts().behaviours == 0
