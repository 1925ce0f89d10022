"""Does the engine add overhead? Training and inference throughput against bare PyTorch.

    python bench/bench_trainer_overhead.py [--task detect|pose] [--steps 40]

On a small demo project (320x240, 2 mice, 12 labelled frames), in one run:
- training images/s through the shared `Trainer` (events, schedule, checkpoints) against a bare
  loop (the same adapter's batches, loss, AdamW step) over the same number of steps, and the
  fraction of step time the trainer spent waiting for data (goal: ratio >= 0.9);
- inference frames/s of `predict_video` over the whole video (decode on a thread, batched
  writes to the project) against the model's `predict` alone on the same frames decoded up
  front (goal: ratio >= 0.85).
Single-threaded torch (the machine is shared), CPU unless a GPU is present.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from core.demo import WorldConfig
from core.ml.checkpoint import load_checkpoint
from core.ml.device import choose_device
from core.ml.jobs.predict_job import predict_video
from core.ml.jobs.train_job import train
from core.ml.tasks.base import parameter_groups
from core.ml.tasks.registry import build_adapter, load_predictor
from core.ml.trainer import TrainConfig
from core.video import open_video
from core.demo.project import create_demo_project


def bare_loop(adapter, steps: int, device: torch.device) -> float:
    """Images/s of the simplest loop over the adapter's batches."""
    model = adapter.build_model().to(device)
    model.train()
    optimizer = torch.optim.AdamW(parameter_groups(model, 1e-4), lr=1e-3)
    images, began, done = 0, time.perf_counter(), 0
    while done < steps:
        for batch in adapter.train_batches(0):
            batch = adapter.to_device(batch, device)
            loss = adapter.losses(model, batch)["loss"]
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            images += adapter.batch_size_of(batch)
            done += 1
            if done >= steps:
                break
    return images / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="detect", choices=("detect", "pose", "segment"))
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(1)
    device = choose_device("auto")
    folder = Path(tempfile.mkdtemp(prefix="ethoframe-overhead-")) / "demo"
    project = create_demo_project(folder, WorldConfig(width=320, height=240, seconds=4, n_animals=2, seed=1), labeled_frames=12)

    adapter = build_adapter(project, args.task, {})
    bare = bare_loop(adapter, args.steps, device)

    steps: list[dict] = []

    def emit(event: dict) -> None:
        if event["event"] == "step":
            steps.append(event)

    per_epoch = sum(1 for _ in build_adapter(project, args.task, {}).train_batches(0))
    epochs = max(1, round(args.steps / max(per_epoch, 1)))
    model = train(project, args.task, {}, TrainConfig(epochs=epochs, warmup_steps=1, device=str(device)), emit)
    engine = statistics.median(s["images_per_s"] for s in steps[len(steps) // 4 :])
    wait = statistics.median(s["data_wait"] for s in steps[len(steps) // 4 :])
    print(f"{args.task} on {device}: bare loop {bare:.2f} images/s; trainer {engine:.2f} images/s "
          f"(ratio {engine / bare:.2f}, goal >= 0.9); data wait {wait:.1%} of step time")  # fmt: skip

    video = project.videos.all()[0]
    predictor = load_predictor(load_checkpoint(project.folder / model.path / "best.pt", args.task), device)
    with open_video(video.path) as reader:
        frames = [np.array(reader.read(i)) for i in range(video.frame_count)]
    began = time.perf_counter()
    for start in range(0, len(frames), 8):
        predictor.predict(frames[start : start + 8])
    forward_fps = len(frames) / (time.perf_counter() - began)
    summary = predict_video(project, video.id, model.id, batch_size=8, device=str(device))
    print(f"inference: model alone {forward_fps:.2f} frames/s; predict_video (decode + model + writes) "
          f"{summary.frames_per_s:.2f} frames/s (ratio {summary.frames_per_s / forward_fps:.2f}, goal >= 0.85)")  # fmt: skip


if __name__ == "__main__":
    main()
