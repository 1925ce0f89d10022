"""Frame classification ("classify": whole-frame events, learnt from the pixels) against the
behaviour task (per-animal events, learnt from tracked poses) on a one-mouse demo world, where
the mouse's behaviour is the frame's: the same bouts are coded both ways on the same spread
blocks, and both models are scored on the same frames.

    python bench/bench_classify_demo.py                    # 3-minute world, 20% coded (a few CPU minutes)
    python bench/bench_classify_demo.py --minutes 10 --coded 0.1 --epochs 40

1. The demo project is rendered with one mouse (`create_demo_project`); every frame carries a
   tracked pose (the ground truth with `--noise` px of noise, standing in for a pose model and
   the tracker), and `--coded` of the frames are coded in evenly spread blocks of 3 s.
2. B: the behaviour task on the mouse's events (its default inputs: pose features, as the
   mouse is tracked). C: the classify task on the same bouts coded for the whole frame (no
   subject): frame CNN embeddings and motion energy, no pose.
3. Each is scored on the coded frames training held out (the same stable split: the same
   frames) and against the demo's ground truth on every frame that was not coded.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.demo import GroundTruth, WorldConfig
from core.demo.project import add_tracked_truth_poses, create_demo_project, truth_path
from core.demo.truth_source import DemoTruth
from core.domain import BehaviourEvent
from core.ml.events import collect
from core.ml.jobs.train_job import train
from core.ml.tasks import registry
from core.ml.trainer import TrainConfig


def code_blocks(project, truth: GroundTruth, fraction: float, blocks: int, subject: int | None) -> int:
    """The mouse's ground-truth bouts over `blocks` evenly spread blocks, as events of `subject`."""
    video_id = project.videos.all()[0].id
    ids = {b.name: b.id for b in project.behaviours.all()}
    length = int(truth.n_frames * fraction / blocks)
    events = []
    for start in np.linspace(0, truth.n_frames - length, blocks).round().astype(int):
        for name, s, e in truth.behaviour_bouts(truth.track_ids[0]):
            lo, hi = max(s, start), min(e, start + length - 1)
            if lo <= hi:
                events.append(BehaviourEvent(video_id, ids[name], int(lo), int(hi), subject))
    project.events.add_many(events)
    return length * blocks


def run(project, task: str, label: str, config: TrainConfig) -> dict:
    began = time.monotonic()
    events: list[dict] = []
    model = train(project, task, {}, config, collect(events))
    seconds = time.monotonic() - began
    chosen = registry.get(task)
    held_out = chosen.evaluate(project, model)
    on_truth = chosen.evaluate(project, model, DemoTruth.of(project))
    per = {k: round(v["f1"], 3) for k, v in on_truth["per_behaviour"].items()}
    print(f"{label}: frame macro F1 {held_out['macro_f1_frame']:.3f} on {held_out['frames']} held-out coded frames, "
          f"{on_truth['macro_f1_frame']:.3f} on {on_truth['frames']} never-coded frames (ground truth; per behaviour "
          f"{per}); train + features {seconds:.0f} s", flush=True)  # fmt: skip
    return {"label": label, "held_out": held_out, "truth": on_truth, "train_s": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0, help="length of the demo world")
    parser.add_argument("--noise", type=float, default=2.0, help="pixels of noise on the stand-in pose predictions")
    parser.add_argument("--coded", type=float, default=0.2, help="fraction of the frames coded")
    parser.add_argument("--block-seconds", type=float, default=3.0)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--size", default="320x240", help="the world's frame size, WxH")
    parser.add_argument("--keep", help="build the demo project in this folder (kept afterwards)")
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    width, height = (int(v) for v in args.size.split("x"))
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_classify_")) / "demo"
    if folder.exists():
        shutil.rmtree(folder)
    began = time.monotonic()
    world = WorldConfig(width=width, height=height, seconds=args.minutes * 60, n_animals=1)
    project = create_demo_project(folder, world, coded_fraction=0.0)
    truth = GroundTruth.load(truth_path(project))
    print(f"demo project: {truth.n_frames} frames of {args.size}, one mouse, made in {time.monotonic() - began:.0f} s", flush=True)
    config = TrainConfig(epochs=args.epochs, patience=0, lr=2e-3, warmup_steps=20)
    with project:
        add_tracked_truth_poses(project, truth, noise_px=args.noise)
        blocks = max(1, round(truth.n_frames * args.coded / (args.block_seconds * world.fps)))
        coded = code_blocks(project, truth, args.coded, blocks, project.tracks.all()[0].id)
        print(f"coded {coded} frames ({coded / truth.n_frames:.1%}) in {blocks} spread blocks", flush=True)
        run(project, "behaviour", "B behaviour (per-animal events, tracked poses)", config)
        code_blocks(project, truth, args.coded, blocks, None)  # the same bouts for the whole frame
        run(project, "classify", "C classify (whole-frame events, pixels)", config)
    if not args.keep:
        shutil.rmtree(folder.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
