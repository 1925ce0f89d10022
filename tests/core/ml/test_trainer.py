"""The shared trainer: the loss goes down, checkpoints are safe, resume and cancel work, and
two processes under torchrun-style DDP (gloo, CPU) train one model."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch

from core.ml.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from core.ml.events import collect
from core.ml.trainer import TrainConfig, Trainer

sys.path.insert(0, str(Path(__file__).parent))
from toy_task import ToyAdapter  # noqa: E402


def test_loss_goes_down_and_events_describe_it(tmp_path):
    events = []
    result = Trainer(ToyAdapter(), TrainConfig(epochs=30, lr=0.1, warmup_steps=5, patience=0), tmp_path, collect(events)).fit()
    epochs = [e for e in events if e["event"] == "epoch"]
    assert epochs[-1]["metrics"]["val_loss"] < 0.05 * epochs[0]["metrics"]["val_loss"]
    assert events[0]["event"] == "started" and events[0]["device"] == "cpu"
    assert {"step", "epoch", "preview", "checkpoint"} <= {e["event"] for e in events}
    step = next(e for e in events if e["event"] == "step")
    assert step["lr"] > 0 and 0 <= step["data_wait"] <= 1 and step["images_per_s"] > 0
    assert result.stopped == "finished" and result.epochs_run == 30
    saved = load_checkpoint(result.best_path, "toy")
    assert saved["adapter"] == {"kind": "linear"} and saved["metrics"]["val_loss"] == result.best_metrics["val_loss"]


def test_resume_continues_from_the_last_epoch(tmp_path):
    first = Trainer(ToyAdapter(), TrainConfig(epochs=5, lr=0.05, warmup_steps=1), tmp_path, collect([])).fit()
    assert first.epochs_run == 5
    events = []
    second = Trainer(ToyAdapter(), TrainConfig(epochs=8, lr=0.05, warmup_steps=1), tmp_path, collect(events)).fit(resume=True)
    epochs = [e["epoch"] for e in events if e["event"] == "epoch"]
    assert epochs == [5, 6, 7] and second.epochs_run == 8
    assert any(e["event"] == "note" and "resumed" in e["message"] for e in events)


def test_cancel_stops_after_the_current_step_with_a_checkpoint(tmp_path):
    cancel = threading.Event()
    events = []

    def emit(event):
        events.append(event)
        if event["event"] == "step" and event["step"] == 3:
            cancel.set()

    result = Trainer(ToyAdapter(), TrainConfig(epochs=100), tmp_path, emit, cancel).fit()
    assert result.stopped == "cancelled" and result.epochs_run == 1
    assert load_checkpoint(result.last_path, "toy")["step"] == 3


def test_early_stopping(tmp_path):
    result = Trainer(ToyAdapter(), TrainConfig(epochs=200, lr=0.0, warmup_steps=0, patience=3), tmp_path, collect([])).fit()
    assert result.stopped == "early_stopping" and result.epochs_run == 4


def test_time_budget(tmp_path):
    result = Trainer(ToyAdapter(), TrainConfig(epochs=10**6, minutes=0.002), tmp_path, collect([])).fit()
    assert result.stopped == "time"


def test_foreign_and_pickled_checkpoints_are_refused(tmp_path):
    torch.save({"state_dict": {}}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="another program"):
        load_checkpoint(tmp_path / "other.pt")

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    torch.save({"format": "ethoframe-checkpoint", "x": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError, match="can load safely"):
        load_checkpoint(tmp_path / "evil.pt")
    save_checkpoint(tmp_path / "pose.pt", {"task": "pose"})
    with pytest.raises(CheckpointError, match="pose model, not a detect"):
        load_checkpoint(tmp_path / "pose.pt", "detect")
    (tmp_path / "cut.pt").write_bytes((tmp_path / "pose.pt").read_bytes()[:50])
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "cut.pt")


DDP_SCRIPT = """
import sys, threading
sys.path.insert(0, {here!r})
from toy_task import ToyAdapter
from core.ml.trainer import TrainConfig, Trainer
from core.ml.events import json_lines
result = Trainer(ToyAdapter(), TrainConfig(epochs=3, lr=0.05, warmup_steps=1), {folder!r}, json_lines()).fit()
import os, pathlib
pathlib.Path({folder!r}, "rank" + os.environ["RANK"]).write_text(str(result.epochs_run))
"""


@pytest.mark.slow
def test_two_processes_with_gloo_ddp(tmp_path):
    script = tmp_path / "ddp.py"
    script.write_text(DDP_SCRIPT.format(here=str(Path(__file__).parent), folder=str(tmp_path / "run")))
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(script)],
        capture_output=True, text=True, timeout=240, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert [(tmp_path / "run" / f"rank{r}").read_text() for r in (0, 1)] == ["3", "3"]
    assert result.stdout.count('"event": "started"') == 1  # only rank 0 speaks
    assert '"world_size": 2' in result.stdout
    assert load_checkpoint(tmp_path / "run" / "best.pt", "toy")["epoch"] >= 0
