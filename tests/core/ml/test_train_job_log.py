"""A training job that fails logs the traceback and its failure event names the log file; one
whose loss turns NaN says so plainly, with no traceback in the reason."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core.ml.jobs import train_job
from core.ml.trainer import LossNotFinite, TrainConfig
from core.runtime.log_file import setup_logging, shutdown_logging

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.setenv("ETHOFRAME_LOG_DIR", str(tmp_path / "logs"))
    yield setup_logging()
    shutdown_logging()


def _failing(error):
    def fit(self, resume=False):
        raise error

    return fit


def test_a_failed_training_names_the_log_which_holds_the_traceback(project, labelled, toy_task, log, monkeypatch):
    monkeypatch.setattr(train_job.Trainer, "fit", _failing(KeyError("a bug in the loop")))
    events = []
    with pytest.raises(KeyError):
        train_job.train(project, "toy", {}, TrainConfig(epochs=1), events.append)
    (failed,) = [e for e in events if e["event"] == "failed"]
    first = failed["reason"].splitlines()[0]
    assert first == f"KeyError: 'a bug in the loop' (details in {log})"
    text = log.read_text()
    assert "training run 1 (toy) started" in text and "training run 1 (toy) failed: KeyError" in text
    assert "Traceback (most recent call last)" in text and "a bug in the loop" in text
    assert project.training_runs.all()[0].status == "failed"


def test_a_nan_loss_is_one_plain_line(project, labelled, toy_task, log, monkeypatch):
    monkeypatch.setattr(train_job.Trainer, "fit", _failing(LossNotFinite("the loss became NaN at epoch 1 step 3 ...")))
    events = []
    with pytest.raises(LossNotFinite):
        train_job.train(project, "toy", {}, TrainConfig(epochs=1), events.append)
    (failed,) = [e for e in events if e["event"] == "failed"]
    assert failed["reason"] == f"the loss became NaN at epoch 1 step 3 ... (details in {log})"
    assert project.training_runs.all()[0].error == "the loss became NaN at epoch 1 step 3 ..."
