"""A single-animal 640x480 project under a CPU budget: optimizer steps per 15 minutes and
whole-video inference frames/s, one thread, with the default (automatic) pose set-up.

    python bench/bench_pose_single.py [--minutes 3] [--labelled 87]

The project is the demo world with one mouse (640x480, 30 fps, 6 nodes) and `--labelled`
frames labelled. Training runs `--minutes` and the step count is scaled to 15 minutes;
`predict_video` then runs over 300 frames of the video, end to end (decode, model, writes).
The baseline measured in the same run is the first version's set-up (whole frame at full size,
stride 2): steps per 15 minutes from a few of its steps.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import shutil
import time
from pathlib import Path

import torch

from core.demo import WorldConfig
from core.ml.jobs.predict_job import predict_video
from core.ml.jobs.train_job import train
from core.ml.tasks.pose import build_adapter
from core.ml.trainer import TrainConfig
from core.demo.project import create_demo_project


def seconds_per_step(adapter, steps: int = 4) -> float:
    """Bare optimizer steps of `adapter`'s model (the first one left out)."""
    model = adapter.build_model()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], 1e-3)
    batches = adapter.train_batches(0)
    times = []
    for _ in range(steps + 1):
        began = time.perf_counter()
        loss = adapter.losses(model, next(batches))["loss"]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - began)
    return sum(times[1:]) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--labelled", type=int, default=87)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/bench_pose_single"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    shutil.rmtree(args.folder, ignore_errors=True)
    config = WorldConfig(width=640, height=480, seconds=30, n_animals=1, seed=11)
    with create_demo_project(args.folder, config, labeled_frames=args.labelled) as project:
        adapter = build_adapter(project, {})
        c = adapter.config
        print(f"set-up: {c.mode}, input scale {c.input_scale}, crop {c.crop_size} px at {c.crop_scale}, "
              f"centroid scale {c.centroid_scale}, max instances {c.max_instances}", flush=True)  # fmt: skip
        old = build_adapter(project, {"mode": "single", "input_scale": 1.0, "decoder_top": "c5"})
        baseline = seconds_per_step(old)
        events: list[dict] = []
        model = train(project, "pose", {}, TrainConfig(minutes=args.minutes), events.append)
        steps = sum(1 for e in events if e["event"] == "step")
        verdict = next((e["message"] for e in events if e["event"] == "verdict"), "")
        per_15 = steps * 15 / args.minutes
        print(f"steps: {steps} in {args.minutes:g} min -> {per_15:.0f} per 15 min "
              f"(first version's set-up: {15 * 60 / baseline:.0f} per 15 min, {baseline:.1f} s a step; ratio {per_15 / (15 * 60 / baseline):.1f}x)")
        print(f"verdict: {verdict}")
        (video,) = project.videos.all()
        summary = predict_video(project, video.id, model.id, frames=list(range(300)), device="cpu")
        print(f"predict_video: {summary.frames_per_s:.1f} frames/s end to end over {summary.frames} frames "
              f"({summary.instances} instances)")


if __name__ == "__main__":
    main()
