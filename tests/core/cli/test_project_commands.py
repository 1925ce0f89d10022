"""`ethoframe new / add-video / info / relink`: what a user types, what the project then holds,
and one clear line (no traceback) for every mistake."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli.main import main
from core.domain import Box, Instance
from core.project import Project


def test_new_add_video_info(tmp_path, tiny_video, capsys):
    folder = tmp_path / "mice"
    assert main(["new", str(folder)]) == 0
    assert main(["add-video", str(folder), str(tiny_video)]) == 0
    assert "20 frames, 64x48" in capsys.readouterr().out
    with Project.open(folder) as project:
        (video,) = project.videos.all()
        project.instances.add(Instance(video.id, 3, box=Box(0, 0, 5, 5)))
    assert main(["info", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("videos", "frames_labeled", "instances_user", "instances_predicted", "boxes", "masks",
                "keypoint_instances", "behaviour_events", "tracks", "models"):  # fmt: skip
        assert key in report
    assert (report["videos"], report["frames_labeled"], report["boxes"]) == (1, 1, 1)
    assert report["video_list"][0]["frames"] == 20


def test_adding_the_same_video_twice_keeps_one(tmp_path, tiny_video):
    main(["new", str(tmp_path / "p")])
    main(["add-video", str(tmp_path / "p"), str(tiny_video)])
    main(["add-video", str(tmp_path / "p"), str(tiny_video)])
    with Project.open(tmp_path / "p") as project:
        assert len(project.videos.all()) == 1


def test_a_bad_video_in_a_batch_adds_none(tmp_path, tiny_video, capsys):
    main(["new", str(tmp_path / "p")])
    broken = tmp_path / "notes.mp4"
    broken.write_text("not a video")
    assert main(["add-video", str(tmp_path / "p"), str(tiny_video), str(broken)]) == 1
    error = capsys.readouterr().err
    assert "notes.mp4" in error and "Traceback" not in error and len(error.strip().splitlines()) == 1
    with Project.open(tmp_path / "p") as project:
        assert project.videos.all() == []


def test_relink_a_moved_video_by_search_and_by_path(tmp_path, tiny_video, capsys):
    main(["new", str(tmp_path / "p")])
    main(["add-video", str(tmp_path / "p"), str(tiny_video)])
    (tmp_path / "moved").mkdir()
    moved = shutil.move(tiny_video, tmp_path / "moved" / "renamed.mp4")
    main(["info", str(tmp_path / "p")])
    assert "MISSING" in capsys.readouterr().out
    assert main(["relink", str(tmp_path / "p"), "--search", str(tmp_path / "moved")]) == 0
    with Project.open(tmp_path / "p") as project:
        assert project.videos.all()[0].path == str(moved)
        assert project.videos.missing() == []
    other = shutil.copy(moved, tmp_path / "copy.mp4")
    assert main(["relink", str(tmp_path / "p"), "1", str(other)]) == 0
    (tmp_path / "different.txt").write_text("something else")
    assert main(["relink", str(tmp_path / "p"), "1", str(tmp_path / "different.txt")]) == 1
    assert "not the same video" in capsys.readouterr().err


@pytest.mark.slow
def test_errors_are_one_line_with_a_nonzero_exit(tmp_path):
    """Through the installed entry point, as a user runs it: no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "core.cli.main", "info", str(tmp_path / "nowhere")], capture_output=True, text=True
    )
    assert result.returncode == 1
    log = Path(os.environ["ETHOFRAME_LOG_DIR"]) / "ethoframe.log"  # tests/conftest.py: a throwaway folder
    assert result.stderr.strip() == (f"ethoframe info: error: {tmp_path / 'nowhere'} is not an Ethoframe project "
                                     f"(no project.sqlite in it) (details in {log})")  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "core.cli.main", "new", str(tmp_path / "x"), "--bogus"], capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
