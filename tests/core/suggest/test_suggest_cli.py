"""`ethoframe suggest`: what a user types, what is printed, what the project then holds."""

from __future__ import annotations

import argparse
import shutil

import pytest

from core.cli import suggest_commands
from core.project import Project
from core.project.errors import NotFoundError
from core.video import VideoNotFoundError
from core.workflows.videos import add_videos

# Each scene of the `scenes_video` fixture (conftest.py) lasts this many frames.
SCENE_FRAMES = 30


def run(argv: list[str]) -> int:
    """Parse as `ethoframe` would once `suggest_commands` is in COMMAND_MODULES."""
    parser = argparse.ArgumentParser(prog="ethoframe")
    suggest_commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_suggest_kmeans_prints_and_stores(scenes_project, capsys):
    project, video_id = scenes_project
    assert run(["suggest", str(project.folder), "--method", "kmeans", "-n", "3"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"video {video_id} (scenes.mp4): 3 kmeans suggestions: ")
    with Project.open(project.folder) as reopened:
        frames = [s.frame_index for s in reopened.suggestions.for_video(video_id)]
    assert out.strip().endswith(", ".join(map(str, frames)))
    assert sorted(f // SCENE_FRAMES for f in frames) == [0, 1, 2]
    # stderr is not a terminal here: at most one progress line per 10 %.
    lines = err.strip().splitlines()
    assert 2 <= len(lines) <= 11 and lines[-1].startswith("video 1: 100%")


def test_suggest_uniform_for_one_video(scenes_project, capsys):
    project, video_id = scenes_project
    assert run(["suggest", str(project.folder), "--method", "uniform", "-n", "3", "--video", str(video_id)]) == 0
    out, err = capsys.readouterr()
    assert out == f"video {video_id} (scenes.mp4): 3 uniform suggestions: 15, 45, 75\n" and err == ""


def test_bad_arguments_are_user_errors(scenes_project):
    """Errors of the kinds `ethoframe`'s main() prints as one line."""
    project, _ = scenes_project
    with pytest.raises(ValueError, match="-n must be a positive"):
        run(["suggest", str(project.folder), "--method", "uniform", "-n", "0"])
    with pytest.raises(NotFoundError):
        run(["suggest", str(project.folder), "--method", "uniform", "-n", "3", "--video", "42"])
    with pytest.raises(SystemExit):
        run(["suggest", str(project.folder), "--method", "random", "-n", "3"])


def test_a_missing_video_is_skipped_and_reported(project, scenes_video, tiny_video, capsys):
    moved = shutil.copy(tiny_video, tiny_video.with_name("moved.mp4"))
    scenes, gone = add_videos(project, [scenes_video, moved])
    moved.unlink()
    assert run(["suggest", str(project.folder), "--method", "kmeans", "-n", "2"]) == 1
    out, err = capsys.readouterr()
    assert f"video {scenes.id} (scenes.mp4): 2 kmeans suggestions" in out
    assert f"video {gone.id}: skipped, file missing" in err
    with pytest.raises(VideoNotFoundError):
        run(["suggest", str(project.folder), "--method", "kmeans", "-n", "2", "--video", str(gone.id)])
