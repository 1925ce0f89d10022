"""A loss (or gradient) that is NaN or infinite never steps the optimiser: the step is skipped
and counted, and several in a row stop training with a message that says what to change,
keeping the checkpoint of the last good epoch."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from core.ml.checkpoint import load_checkpoint
from core.ml.events import collect
from core.ml.trainer import MAX_BAD_STEPS, LossNotFinite, TrainConfig, Trainer

sys.path.insert(0, str(Path(__file__).parent))
from toy_task import ToyAdapter  # noqa: E402


class PoisonedAdapter(ToyAdapter):
    """The toy task whose loss is NaN on the calls `bad` says (counted from 0 over the run)."""

    def __init__(self, bad, kind: str = "loss") -> None:
        super().__init__()
        self.bad, self.kind, self.calls = bad, kind, 0

    def losses(self, model, batch):
        parts = super().losses(model, batch)
        poisoned = self.bad(self.calls)
        self.calls += 1
        if poisoned and self.kind == "loss":
            return {"loss": parts["loss"] * float("nan")}
        if poisoned:  # a finite loss (0 more) whose gradient is NaN: sqrt'(0) * 0
            weight = next(model.parameters())
            return {"loss": parts["loss"] + (weight * 0).abs().sum().sqrt()}
        return parts


def _finite(model_state) -> bool:
    return all(torch.isfinite(t).all() for t in model_state.values())


@pytest.mark.parametrize("kind", ["loss", "gradient"])
def test_a_non_finite_step_is_skipped_and_counted(tmp_path, kind):
    events = []
    adapter = PoisonedAdapter(lambda call: call % 3 == 1, kind)  # one step in three, never two in a row
    config = TrainConfig(epochs=3, lr=0.05, warmup_steps=1, patience=0)
    result = Trainer(adapter, config, tmp_path, collect(events)).fit()
    assert result.stopped == "finished" and result.epochs_run == 3
    epochs = [e for e in events if e["event"] == "epoch"]
    assert epochs[-1]["skipped_steps"] == 8  # calls 1, 4, ..., 22 of 24
    assert all(e["loss"] == e["loss"] for e in events if e["event"] == "step")  # no NaN step reported
    notes = [e["message"] for e in events if e["event"] == "note"]
    assert len(notes) == 1 and "step skipped" in notes[0]
    saved = load_checkpoint(result.last_path, "toy")
    assert _finite(saved["model"]) and saved["step"] == 16  # the skipped steps did not step
    assert epochs[-1]["metrics"]["val_loss"] < epochs[0]["metrics"]["val_loss"]  # and it still learns


def test_a_loss_that_stays_nan_stops_with_advice_and_keeps_the_last_good_checkpoint(tmp_path):
    events = []
    adapter = PoisonedAdapter(lambda call: call >= 10)  # from epoch 2 step 3 (8 batches an epoch) on
    trainer = Trainer(adapter, TrainConfig(epochs=5, lr=0.05, warmup_steps=1, patience=0), tmp_path, collect(events))
    with pytest.raises(LossNotFinite) as caught:
        trainer.fit()
    message = str(caught.value)
    assert message.startswith("the loss became NaN at epoch 2 step 11") and "--lr" in message, message
    assert f"{MAX_BAD_STEPS} steps in a row" in message and str(trainer.last_path) in message
    assert adapter.calls == 10 + MAX_BAD_STEPS  # stopped at once
    saved = load_checkpoint(trainer.last_path, "toy")
    assert saved["epoch"] == 0 and _finite(saved["model"])  # the first epoch's checkpoint, untouched
    assert not [e for e in events if e["event"] == "checkpoint" and e["epoch"] > 0]


def test_nan_from_the_first_step_says_no_checkpoint_was_written(tmp_path):
    trainer = Trainer(PoisonedAdapter(lambda call: True), TrainConfig(epochs=2), tmp_path, collect([]))
    with pytest.raises(LossNotFinite, match="at epoch 1 step 1 .*no checkpoint was written"):
        trainer.fit()
    assert not trainer.last_path.exists()
