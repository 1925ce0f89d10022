"""A model task that lives in the test suite, not in `core/`: it proves that a new task is one
task object, registered with `registry.register` (or `registered`), and that the CLI, the jobs and
the Train dialog then train, predict, evaluate and list it without a line of theirs changing.

"count": how many animals a frame holds, learnt from the labelled frames' instance counts by a
one-convolution regressor on the frame shrunk to 32x32. It predicts that many whole-frame boxes
and is scored by the mean absolute error of the count (`count_error`) and the share of frames
counted exactly (`count_exact`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import torch
from torch import nn

from core.ml.data.frame_store import FrameStore
from core.ml.data.split import split_frames
from core.ml.tasks.errors import TrainingDataError
from core.ml.tasks.task import FrameTask

SIDE = 32


@dataclass
class CountConfig:
    backbone: str = "none"  # the CLI always passes one; this task has none
    batch_size: int = 4
    steps_per_epoch: int = 16

    @classmethod
    def from_options(cls, options: dict[str, Any] | None) -> CountConfig:
        options = {k: v for k, v in (options or {}).items() if v is not None}
        known = {f.name for f in fields(cls)}
        if set(options) - known:
            raise ValueError(f"unknown count option(s) {sorted(set(options) - known)}; known: {sorted(known)}")
        return cls(**options)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Counter(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.head = nn.Linear(4, 1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(torch.relu(self.conv(images)).mean((2, 3))).squeeze(1)


def shrink(frame: np.ndarray) -> torch.Tensor:
    image = torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1).float()[None] / 255.0
    return nn.functional.interpolate(image, size=(SIDE, SIDE), mode="area")[0]


class CountAdapter:
    task = "count"
    monitor = "val_count_error"
    monitor_mode = "min"

    def __init__(self, project, options: dict[str, Any] | None = None) -> None:
        self.config = CountConfig.from_options(options)
        frames = project.instances.labeled_frames()
        if len(frames) < 2:
            raise TrainingDataError("count needs at least two labelled frames")
        fingerprints = {v.id: v.fingerprint for v in project.videos.all()}
        train, val = split_frames(frames, fingerprints, min_val=1)
        store = FrameStore(project)
        store.load(frames)
        self.images = {key: shrink(store[key]) for key in frames}
        self.counts = {key: float(len(project.instances.on_frame(*key, source="user"))) for key in frames}
        self.train, self.val = list(train), list(val)

    def build_model(self) -> nn.Module:
        torch.manual_seed(0)
        return Counter()

    def state(self) -> dict[str, Any]:
        return {"config": self.config.to_dict()}

    def train_batches(self, epoch: int, rank: int = 0, world_size: int = 1):
        generator = torch.Generator().manual_seed(epoch)
        for step in range(rank, self.config.steps_per_epoch, world_size):
            picks = torch.randint(len(self.train), (self.config.batch_size,), generator=generator).tolist()
            keys = [self.train[i] for i in picks]
            yield torch.stack([self.images[k] for k in keys]), torch.tensor([self.counts[k] for k in keys])

    def to_device(self, batch, device):
        return tuple(t.to(device) for t in batch)

    def batch_size_of(self, batch) -> int:
        return len(batch[0])

    def losses(self, model, batch) -> dict[str, torch.Tensor]:
        images, counts = batch
        return {"loss": nn.functional.mse_loss(model(images), counts)}

    @torch.no_grad()
    def evaluate(self, model, device) -> dict[str, float]:
        images = torch.stack([self.images[k] for k in self.val]).to(device)
        truth = torch.tensor([self.counts[k] for k in self.val], device=device)
        return {"val_count_error": float((model(images) - truth).abs().mean())}

    def preview(self, model, device, n: int = 4) -> list[dict[str, Any]]:
        return []


class CountPredictor:
    def __init__(self, model: nn.Module, device) -> None:
        self.model, self.device = model, device

    @torch.no_grad()
    def predict(self, frames: list[np.ndarray]) -> list[list[dict[str, Any]]]:
        counts = self.model(torch.stack([shrink(f) for f in frames]).to(self.device)).clamp(min=0).round().int().tolist()
        return [[{"box": (0.0, 0.0, float(f.shape[1]), float(f.shape[0])), "score": 1.0}] * n for f, n in zip(frames, counts)]


class CountTask(FrameTask):
    name = "count"
    display_name = "Count (animals per frame)"
    key_metrics = ("val_count_error",)

    def options(self, options=None) -> CountConfig:
        return CountConfig.from_options(options)

    def availability(self, project) -> str | None:
        return None if project.instances.labeled_frames() else "count needs labelled frames"

    def build_adapter(self, project, options=None) -> CountAdapter:
        return CountAdapter(project, options)

    def load_predictor(self, payload: dict[str, Any], device) -> CountPredictor:
        model = Counter()
        model.load_state_dict(payload["model"])
        return CountPredictor(model.to(device).eval(), device)

    def score(self, truth, found) -> dict[str, float | None]:
        errors = [abs(len(t) - len(f)) for t, f in zip(truth, found)]
        return {"count_error": float(np.mean(errors)), "count_exact": float(np.mean([e == 0 for e in errors]))}


COUNT = CountTask()
