"""The training loop shared by `ethoframe train`, the GUI's Train button and torchrun.

It reads like torchvision's detection reference (train one epoch, evaluate), but reports
structured events instead of printing, stops cleanly on a cancel token, writes atomic
last/best checkpoints every epoch, resumes from the last one, stops early when the monitored
metric stops improving, runs mixed precision on CUDA, and wraps the model in
DistributedDataParallel when launched by torchrun (gloo on CPU, NCCL on GPUs).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn

from core.ml.checkpoint import load_checkpoint, save_checkpoint
from core.ml.device import choose_device, describe
from core.ml.events import Emit
from core.ml.tasks.base import TaskAdapter, parameter_groups


class LossNotFinite(RuntimeError):
    """The loss (or its gradients) came out NaN or infinite on `MAX_BAD_STEPS` steps in a row:
    training stopped; the checkpoints of the epochs before are kept as they were."""


# Steps in a row whose loss or gradients are not finite before training stops. One such step
# is skipped (the weights stay as they were); several in a row mean the run has diverged.
MAX_BAD_STEPS = 5


@dataclass
class TrainConfig:
    epochs: int = 50
    minutes: float | None = None  # a time budget; when set, training stops when it is spent
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 50  # at most; a time budget shortens it to 5 % of the steps it affords
    patience: int = 15  # validated epochs without improvement before early stopping (0: never)
    device: str = "auto"
    amp: bool = True  # mixed precision, used on CUDA only
    seed: int = 0
    preview_frames: int = 4
    evaluate_every: int = 1
    eval_share: float = 0.1  # with a time budget, validation takes at most about this share of it


@dataclass
class TrainResult:
    best_metrics: dict[str, float]
    best_path: Path
    last_path: Path
    epochs_run: int
    stopped: str  # "finished", "time", "early_stopping", "cancelled"


def _distributed() -> tuple[int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank(), dist.get_world_size()) if world > 1 else (0, 1)


class Trainer:
    def __init__(self, adapter: TaskAdapter, config: TrainConfig, folder: Path, emit: Emit, cancel=None) -> None:
        self.adapter, self.config, self.folder = adapter, config, Path(folder)
        self.cancel = cancel
        self._step_seconds: float | None = None  # measured seconds per training step (sets the warm-up)
        self.rank, self.world = _distributed()
        self.emit = emit if self.rank == 0 else (lambda _event: None)  # one voice under torchrun
        if self.world > 1 and torch.cuda.is_available():
            self.device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        else:
            self.device = choose_device(config.device)

    @property
    def last_path(self) -> Path:
        return self.folder / "last.pt"

    @property
    def best_path(self) -> Path:
        return self.folder / "best.pt"

    def _cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def _improved(self, value: float, best: float | None) -> bool:
        if best is None or not math.isfinite(best):
            return math.isfinite(value)
        return value < best if self.adapter.monitor_mode == "min" else value > best

    def fit(self, resume: bool = False) -> TrainResult:
        config, adapter = self.config, self.adapter
        torch.manual_seed(config.seed + self.rank)
        model = adapter.build_model().to(self.device)
        for note in getattr(adapter, "notes", []):  # e.g. a backbone that fell back to the offline one
            self.emit({"event": "note", "message": note})
        groups = getattr(adapter, "parameter_groups", None)  # a task may train some parts slower
        groups = groups(model, config.weight_decay) if groups else parameter_groups(model, config.weight_decay)
        optimizer = torch.optim.AdamW(groups, lr=config.lr)
        use_amp = config.amp and self.device.type == "cuda"
        scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
        start_epoch, step, best, best_metrics, spent = 0, 0, None, {}, 0.0
        if resume and self.last_path.is_file():
            saved = load_checkpoint(self.last_path, adapter.task)
            model.load_state_dict(saved["model"])
            optimizer.load_state_dict(saved["optimizer"])
            start_epoch, step = saved["epoch"] + 1, saved["step"]
            best, best_metrics, spent = saved.get("best"), saved.get("best_metrics", {}), saved.get("elapsed_s", 0.0)
            self.emit({"event": "note", "message": f"resumed from epoch {saved['epoch'] + 1}"})
        start_step = step
        trained = model
        if self.world > 1:
            trained = nn.parallel.DistributedDataParallel(model, device_ids=[self.device.index] if self.device.type == "cuda" else None)

        self.emit({"event": "started", "task": adapter.task, "device": describe(self.device), "world_size": self.world,
                   "config": asdict(config), "resumed_epoch": start_epoch})  # fmt: skip
        budget = None if config.minutes is None else config.minutes * 60.0
        began = time.monotonic() - spent
        stopped, epochs_without_gain, epoch = "finished", 0, start_epoch - 1
        trained_since_eval, last_eval_s = 0.0, 0.0
        bad_in_row, skipped = 0, 0  # steps with a loss or gradients not finite: in a row, and all
        for epoch in range(start_epoch, config.epochs):
            model.train()
            losses, images, wait, epoch_began = [], 0, 0.0, time.monotonic()
            fetch_began = time.monotonic()
            for batch in adapter.train_batches(epoch, self.rank, self.world):
                wait += time.monotonic() - fetch_began
                batch = adapter.to_device(batch, self.device)
                lr = self._learning_rate(step, epoch, time.monotonic() - began, budget)
                for group in optimizer.param_groups:
                    group["lr"] = lr * group.get("lr_scale", 1.0)
                with torch.autocast(self.device.type, enabled=use_amp):
                    parts = adapter.losses(trained, batch)
                optimizer.zero_grad(set_to_none=True)
                finite = self._all_finite(parts["loss"].detach())
                if finite:
                    scaler.scale(parts["loss"]).backward()
                    scaler.unscale_(optimizer)
                    norm = nn.utils.clip_grad_norm_(model.parameters(), 10.0)
                    # Under AMP the scaler skips a step whose scaled gradients overflowed and
                    # lowers its scale (routine, not counted); without it a non-finite gradient
                    # norm would write NaN into every weight, so that step is skipped here.
                    finite = use_amp or self._all_finite(norm)
                if not finite:
                    optimizer.zero_grad(set_to_none=True)
                    bad_in_row, skipped = bad_in_row + 1, skipped + 1
                    if skipped == 1:  # said once; each epoch event counts them
                        self.emit({"event": "note", "message": f"epoch {epoch + 1} step {step + 1}: the loss or its gradients "
                                                               "are NaN or infinite: step skipped, the weights are unchanged"})  # fmt: skip
                    if bad_in_row >= MAX_BAD_STEPS:
                        raise LossNotFinite(self._diverged(epoch, step, float(parts["loss"].detach())))
                    fetch_began = time.monotonic()
                    continue
                bad_in_row = 0
                scaler.step(optimizer)
                scaler.update()
                step += 1
                self._measure_step(time.monotonic() - fetch_began, step - start_step)  # data and compute
                n = adapter.batch_size_of(batch)
                images += n
                losses.append(float(parts["loss"].detach()))
                elapsed = time.monotonic() - epoch_began
                self.emit({"event": "step", "epoch": epoch, "step": step, "loss": losses[-1], "lr": lr,
                           "parts": {k: float(v.detach()) for k, v in parts.items() if k != "loss"},
                           "images_per_s": images * self.world / max(elapsed, 1e-9), "data_wait": wait / max(elapsed, 1e-9)})  # fmt: skip
                if self._cancelled() or (budget is not None and time.monotonic() - began > budget):
                    break
                fetch_began = time.monotonic()

            metrics: dict[str, float] = {}
            last_epoch = self._cancelled() or (budget is not None and time.monotonic() - began > budget) or epoch == config.epochs - 1
            trained_since_eval += time.monotonic() - epoch_began
            if self.rank == 0 and (last_epoch or self._evaluate_now(epoch - start_epoch, trained_since_eval, last_eval_s, budget)):
                eval_began = time.monotonic()
                model.eval()
                with torch.no_grad():
                    metrics = adapter.evaluate(model, self.device)
                    preview = adapter.preview(model, self.device, config.preview_frames)
                if preview:
                    self.emit({"event": "preview", "epoch": epoch, "frames": preview})
                trained_since_eval, last_eval_s = 0.0, time.monotonic() - eval_began
            elapsed = time.monotonic() - began
            eta = self._eta(epoch, start_epoch, elapsed, spent, budget)
            self.emit({"event": "epoch", "epoch": epoch, "train_loss": sum(losses) / max(len(losses), 1),
                       "metrics": metrics, "elapsed_s": elapsed, "eta_s": eta, "skipped_steps": skipped})  # fmt: skip
            monitored = metrics.get(adapter.monitor)
            if self.rank == 0:
                payload = {"task": adapter.task, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                           "epoch": epoch, "step": step, "adapter": adapter.state(), "config": asdict(config),
                           "elapsed_s": elapsed, "metrics": metrics}  # fmt: skip
                if monitored is not None and self._improved(monitored, best):
                    best, best_metrics, epochs_without_gain = monitored, metrics, 0
                    save_checkpoint(self.best_path, {**payload, "optimizer": {}})
                    self.emit({"event": "checkpoint", "path": str(self.best_path), "kind": "best", "epoch": epoch})
                elif monitored is not None:
                    epochs_without_gain += 1
                save_checkpoint(self.last_path, {**payload, "best": best, "best_metrics": best_metrics})
                self.emit({"event": "checkpoint", "path": str(self.last_path), "kind": "last", "epoch": epoch})
            if self._cancelled():
                stopped = "cancelled"
                break
            if budget is not None and time.monotonic() - began > budget:
                stopped = "time"
                break
            # Under a time budget, not in its first half: the learning rate decays over the whole
            # budget, and a noisy validation score at a high rate stopped a 15-minute mouse run
            # after 5 minutes.
            early = budget is not None and time.monotonic() - began < 0.5 * budget
            if config.patience and epochs_without_gain >= config.patience and not early:
                stopped = "early_stopping"
                break
        if self.world > 1:
            dist.barrier()
        if not self.best_path.is_file() and self.last_path.is_file() and self.rank == 0:
            save_checkpoint(self.best_path, load_checkpoint(self.last_path))  # no metric: last is best
        return TrainResult(best_metrics, self.best_path, self.last_path, epoch + 1, stopped)

    def _all_finite(self, value: torch.Tensor) -> bool:
        """Whether `value` is finite on every rank: under DDP all ranks skip a step together,
        or the ones that step would wait forever for the others' gradients."""
        finite = torch.isfinite(value).all().to(torch.float32)
        if self.world > 1:
            finite = finite.to(self.device)
            dist.all_reduce(finite, op=dist.ReduceOp.MIN)
        return bool(finite.item())

    def _diverged(self, epoch: int, step: int, loss: float) -> str:
        what = ("the loss became NaN" if math.isnan(loss) else "the loss became infinite" if math.isinf(loss)
                else "the gradients became NaN or infinite")  # fmt: skip
        kept = (f"the last good checkpoint is kept: {self.last_path}" if self.last_path.is_file()
                else "no epoch had finished: no checkpoint was written")  # fmt: skip
        return (f"{what} at epoch {epoch + 1} step {step + 1} ({MAX_BAD_STEPS} steps in a row): lower "
                f"the learning rate (--lr, now {self.config.lr:g}), or check the labels for points far outside "
                f"their frames; {kept}")  # fmt: skip

    def _measure_step(self, seconds: float, steps_this_run: int) -> None:
        """A running estimate of training seconds per step; the first two steps (allocation,
        first batch) are left out once later ones are known."""
        if steps_this_run <= 2 or self._step_seconds is None:
            self._step_seconds = seconds if self._step_seconds is None else min(self._step_seconds, seconds)
        else:
            self._step_seconds = 0.9 * self._step_seconds + 0.1 * seconds

    def warmup_steps(self, budget: float | None) -> int:
        """The warm-up length: `warmup_steps`, shortened under a time budget to 5 % of the steps
        the budget affords (estimated from the steps so far), so a short CPU run is not spent
        warming up (a 15-minute run at 12 s a step used to end inside its 50-step warm-up)."""
        warmup = self.config.warmup_steps
        if budget is None or self._step_seconds is None:
            return warmup
        affordable = budget * (1 - self.config.eval_share) / max(self._step_seconds, 1e-6)
        return max(1, min(warmup, int(0.05 * affordable))) if warmup else 0

    def _evaluate_now(self, epochs_done: int, trained_since: float, last_eval_s: float, budget: float | None) -> bool:
        """Validate this epoch? Every `evaluate_every` epochs; under a time budget also only when
        the training since the last validation is long enough that validation keeps to about
        `eval_share` of the time (validating every short epoch took half of a 15-minute run)."""
        config = self.config
        if epochs_done % max(config.evaluate_every, 1) != 0:
            return False
        if budget is None or epochs_done == 0 or not config.eval_share:
            return True
        return trained_since * config.eval_share >= last_eval_s * (1 - config.eval_share)

    def _learning_rate(self, step: int, epoch: int, elapsed: float, budget: float | None) -> float:
        """Linear warm-up, then cosine decay over the time budget, or over the epochs."""
        config = self.config
        warmup = self.warmup_steps(budget)
        if step < warmup:
            return config.lr * (step + 1) / warmup
        progress = elapsed / budget if budget is not None else epoch / max(config.epochs, 1)
        return config.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))

    def _eta(self, epoch: int, start_epoch: int, elapsed: float, spent: float, budget: float | None) -> float:
        if budget is not None:
            return max(budget - elapsed, 0.0)
        per_epoch = (elapsed - spent) / max(epoch + 1 - start_epoch, 1)
        return per_epoch * (self.config.epochs - epoch - 1)
