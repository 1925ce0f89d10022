"""A training that dies without a word (SIGKILL, a full disk) leaves no run "running" forever
and no half-written checkpoint: the next training (or `ethoframe check --repair`) cleans up,
and a training still alive in another process is left alone."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from core.domain import TrainingRun
from core.ml.jobs import run_recovery
from core.ml.jobs.train_job import train
from core.ml.trainer import TrainConfig

sys.path.insert(0, str(Path(__file__).parent))
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def labelled(labelled, toy_task):
    """The shared labelled video, with the toy task registered."""
    return labelled


def _abandoned_run(project) -> TrainingRun:
    """What a training killed by a full disk left: its run "running", a partial checkpoint."""
    run = project.training_runs.add(TrainingRun("toy", {}, started_at="2026-01-01T00:00:00+00:00"))
    folder = run_recovery.run_folder(project, run)
    folder.mkdir(parents=True)
    (folder / "last.pt.partial").write_bytes(b"\0" * 4096)
    return run


def test_the_next_training_marks_a_dead_run_failed_and_removes_its_partial(project, labelled):
    dead = _abandoned_run(project)
    events = []
    train(project, "toy", {}, TrainConfig(epochs=1), events.append)
    run = project.training_runs.get(dead.id)
    assert run.status == "failed" and run.error.startswith("interrupted")
    assert not (run_recovery.run_folder(project, dead) / "last.pt.partial").exists()
    assert any(e["event"] == "note" and f"run {dead.id}" in e["message"] for e in events)


def test_a_full_disk_mid_training_leaves_no_partial_and_a_failed_run(project, labelled, monkeypatch):
    def full_disk(obj, path, *args, **kwargs):
        Path(path).write_bytes(b"\0" * 1024)  # half of it was written
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(torch, "save", full_disk)
    with pytest.raises(OSError):
        train(project, "toy", {}, TrainConfig(epochs=1))
    (run,) = project.training_runs.all()
    assert run.status == "failed" and "No space left" in run.error
    assert list(run_recovery.run_folder(project, run).glob("*.partial")) == []


def test_a_run_whose_process_lives_is_not_stale_and_is_once_it_is_killed(project):
    run = project.training_runs.add(TrainingRun("toy", {}))
    folder = run_recovery.run_folder(project, run)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from core.ml.jobs.run_recovery import training_lock\n"
         f"with training_lock(__import__('pathlib').Path({str(folder)!r})):\n    print('held', flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not run_recovery.is_stale(project, run)
        assert run_recovery.recover_stale_runs(project) == []
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    time.sleep(0.05)
    assert run_recovery.is_stale(project, run)
    (recovered,) = run_recovery.recover_stale_runs(project)
    assert recovered.id == run.id and recovered.status == "failed"
