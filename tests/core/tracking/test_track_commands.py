"""`ethoframe track` and `ethoframe evaluate-tracks`, as a user types them."""

from __future__ import annotations

import json

import pytest
from conftest import crossing_paths

from core.cli import main as cli_main
from core.cli import track_commands
from core.domain import Track
from core.project import Project


@pytest.fixture
def main():
    assert track_commands in cli_main.COMMAND_MODULES
    return cli_main.main


def test_track_then_evaluate(project, video, add_paths, main, capsys):
    ids = add_paths(crossing_paths(), source="predicted", score=0.9)
    a, b = project.tracks.add(Track("female")), project.tracks.add(Track("male"))
    add_paths({f: [(x, y, h) for x, y, h in animals] for f, animals in crossing_paths().items() if f % 10 == 0},
              track_ids=[a.id, b.id])  # fmt: skip
    folder = project.folder
    assert main(["track", str(folder), "--max-animals", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 tracks (2 new: animal 1, animal 2)" in out and "120/120 instances tracked" in out
    assert main(["track", str(folder), "--max-animals", "2", "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["tracks"] == 2 and "suspects_by_kind" in result
    assert main(["evaluate-tracks", str(folder), "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["truth_frames"] == 6
    assert report["predicted"]["id_switches"] == 0 and report["predicted"]["fraction_frames_correct"] == 1.0
    assert report["tracker_on_labels"]["id_switches"] == 0
    assert main(["evaluate-tracks", str(folder)]) == 0
    assert "predicted tracks: 0 identity switches" in capsys.readouterr().out
    assert len({project.instances.get(ids[f][0]).track_id for f in ids}) == 1


def test_track_mistakes_are_one_line(tmp_path, main, capsys):
    with Project.create(tmp_path / "p"):
        pass
    assert main(["track", str(tmp_path / "p"), "--video", "9"]) == 1
    error = capsys.readouterr().err
    assert "Traceback" not in error and len(error.strip().splitlines()) == 1
    assert main(["track", str(tmp_path / "p"), "--max-animals", "0"]) == 0  # no videos: nothing to do
