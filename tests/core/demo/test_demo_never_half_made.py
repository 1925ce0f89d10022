"""A demo stopped half-way, even by SIGKILL, leaves no project that the next `ethoframe demo`
opens as finished: the project is built aside and renamed into place when complete, and a
half-made demo an older version left (a project with no video) is made again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.cli.main import main
from core.project import Project

ROOT = Path(__file__).resolve().parents[3]


def _demo(folder: Path, seconds: str = "1") -> int:
    return main(["demo", str(folder), "--no-gui", "--seconds", seconds, "--animals", "1", "--labeled-frames", "3"])


@pytest.mark.slow
def test_a_sigkilled_demo_leaves_nothing_the_next_demo_takes_for_finished(tmp_path):
    folder = tmp_path / "demo"
    child = subprocess.Popen(
        [sys.executable, "-m", "core.cli.main", "demo", str(folder), "--no-gui", "--seconds", "120", "--animals", "1"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".demo.building-*/videos/*")) and time.monotonic() < deadline:
            time.sleep(0.05)  # rendering has begun: the project database exists, its video not yet
        assert list(tmp_path.glob(".demo.building-*/project.sqlite"))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert not (folder / "project.sqlite").exists()
    assert _demo(folder) == 0
    with Project.open(folder) as project:
        assert len(project.videos.all()) == 1 and project.instances.count() > 0
        assert not project.videos.missing()
    assert not list(tmp_path.glob(".demo.building-*"))


def test_a_half_made_demo_from_an_older_version_is_made_again(tmp_path, capsys):
    folder = tmp_path / "demo"
    Project.create(folder, name="demo").close()  # what a SIGKILL used to leave: no video, no labels
    assert _demo(folder) == 0
    assert "stopped half-way" in capsys.readouterr().err
    with Project.open(folder) as project:
        assert len(project.videos.all()) == 1 and project.instances.count() > 0


def test_an_existing_finished_demo_is_opened_not_remade(tmp_path, capsys):
    folder = tmp_path / "demo"
    assert _demo(folder) == 0
    capsys.readouterr()
    assert _demo(folder) == 0
    assert "opening the existing demo" in capsys.readouterr().err
