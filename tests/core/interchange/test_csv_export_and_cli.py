"""CSV exports for analysis, format detection, and the `ethoframe import / export` commands."""

from __future__ import annotations

import csv
import json

import pytest

from core.cli import main as cli
from core.interchange import FormatNotRecognisedError, detect_format, export

from interchange_helpers import fill


def test_trajectories_and_behaviour_tables(tmp_path, new_project):
    project = new_project("p")
    fill(project, tmp_path / "frames")
    export(project, tmp_path / "csv", "csv")
    rows = list(csv.DictReader(open(tmp_path / "csv" / "trajectories.csv")))
    snout = [r for r in rows if r["node"] == "snout" and r["frame"] == "3"]
    assert snout[0]["x"] == "30.000" and snout[0]["score"] == "0.9000" and snout[0]["source"] == "predicted"
    assert any(r["node"] == "centroid" for r in rows)
    assert not any(r["frame"] == "0" and r["track"] == "alice" and r["node"] == "ear_r" for r in rows)  # unlabelled
    bouts = list(csv.DictReader(open(tmp_path / "csv" / "behaviour_events.csv")))
    assert bouts[0]["start_frame"] == "1" and bouts[0]["end_frame"] == "3"
    frames = list(csv.DictReader(open(tmp_path / "csv" / "behaviour_frames.csv")))
    alice = [r for r in frames if r["subject"] == "alice"]
    assert [r["groom"] for r in alice[:5]] == ["0", "1", "1", "1", "0"]


def test_detection_refuses_what_it_does_not_know(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(FormatNotRecognisedError):
        detect_format(tmp_path / "notes.txt")
    (tmp_path / "other.json").write_text('{"a": 1}')
    with pytest.raises(FormatNotRecognisedError):
        detect_format(tmp_path / "other.json")


def test_cli_import_and_export(data, tmp_path, capsys):
    folder = tmp_path / "flies"
    assert cli.main(["new", str(folder)]) == 0
    assert cli.main(["import", str(folder), str(data / "sleap" / "clip.slp"), "--json"]) == 0
    out = capsys.readouterr().out
    summary = json.loads(out[out.index("{") :])
    assert summary["instances_user"] == 3000
    assert cli.main(["export", str(folder), str(tmp_path / "out.slp"), "--what", "labels"]) == 0
    assert (tmp_path / "out.slp").is_file()
    assert cli.main(["import", str(folder), str(tmp_path / "notes.md")]) == 1
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text('{"images": [')
    assert cli.main(["import", str(folder), str(tmp_path / "bad.json")]) == 1
    assert "line 1" in capsys.readouterr().err
