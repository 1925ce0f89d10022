"""The trainer under a time budget: the warm-up fits the steps the budget affords, and
validation keeps to its share of the time instead of running after every short epoch."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from core.ml.checkpoint import load_checkpoint
from core.ml.events import collect
from core.ml.trainer import TrainConfig, Trainer

sys.path.insert(0, str(Path(__file__).parent))
from toy_task import ToyAdapter  # noqa: E402


class SlowValidation(ToyAdapter):
    """Validation ten times dearer than an epoch of training, as on real pose videos."""

    def __init__(self, epoch_s: float, eval_s: float) -> None:
        super().__init__(batches=4)
        self.epoch_s, self.eval_s, self.evaluations = epoch_s, eval_s, 0

    def train_batches(self, epoch, rank=0, world_size=1):
        for batch in super().train_batches(epoch, rank, world_size):
            time.sleep(self.epoch_s / self.batches)  # stands in for compute, not synchronisation
            yield batch

    def evaluate(self, model, device):
        self.evaluations += 1
        time.sleep(self.eval_s)
        return super().evaluate(model, device)


@pytest.mark.slow
def test_validation_keeps_to_its_share_of_a_time_budget(tmp_path):
    adapter = SlowValidation(epoch_s=0.02, eval_s=0.1)
    events = []
    Trainer(adapter, TrainConfig(epochs=10_000, minutes=0.05, warmup_steps=1, eval_share=0.2), tmp_path, collect(events)).fit()
    epochs = [e for e in events if e["event"] == "epoch"]
    validated = [e for e in epochs if e["metrics"]]
    assert len(epochs) > 20, "training went on between validations"
    assert len(validated) < len(epochs) / 3, "validation after every epoch would eat the budget"
    assert epochs[0]["metrics"] and epochs[-1]["metrics"], "the first and the last epoch are always validated"


def test_warmup_is_a_small_share_of_the_steps_a_budget_affords(tmp_path):
    trainer = Trainer(ToyAdapter(), TrainConfig(minutes=15, warmup_steps=50), tmp_path, collect([]))
    assert trainer.warmup_steps(budget=900.0) == 50  # no step measured yet
    trainer._measure_step(12.0, 1)  # 12 s a step: 15 minutes afford ~67 steps
    assert trainer.warmup_steps(budget=900.0) == 3
    trainer._measure_step(0.5, 2)
    assert trainer.warmup_steps(budget=900.0) == 50
    assert trainer.warmup_steps(budget=None) == 50



@pytest.mark.slow
def test_no_early_stopping_in_the_first_half_of_a_time_budget(tmp_path):
    config = TrainConfig(epochs=1_000_000, minutes=0.05, lr=0.0, warmup_steps=0, patience=2, eval_share=0)
    flat = Trainer(ToyAdapter(), config, tmp_path, collect([])).fit()  # nothing improves at lr 0
    assert flat.stopped == "early_stopping"
    assert load_checkpoint(flat.last_path)["elapsed_s"] >= 0.5 * 0.05 * 60 - 0.1  # but not before half the budget
