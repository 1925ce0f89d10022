"""Behaviour classification on the demo world: frame-level macro F1 on never-coded frames against
the ground truth, trained from events coded on 10% of the frames, and the training time.

    python bench/bench_behaviour_demo.py                  # 20-minute world, pose features (about 20 minutes)
    python bench/bench_behaviour_demo.py --minutes 5 --video --keep /tmp/demo

The demo project is rendered (`create_demo_project`), then prepared as a lab would have it
before coding behaviour: every frame carries tracked poses (the ground-truth keypoints with
`--noise` px of Gaussian noise, stored as predicted and tracked instances, standing in for a
pose model and the tracker run over the whole video, which take hours on this CPU), and 10% of
the frames are coded in evenly spread blocks of 3 s (how a coder samples a video), each block
coded exhaustively for every mouse. Runs:

P. pose trajectory features only (`video=false`);
V. video features only (`pose=false`), with `--video`;
B. both, with `--video`.

A ceiling run (`--ceiling`) trains the same model on 80% of the frames with noise-free poses, to
show how far the world's behaviours can be told apart at all.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.demo import GroundTruth, WorldConfig
from core.domain import BehaviourEvent
from core.ml.events import collect
from core.ml.jobs.train_job import train
from core.demo.truth_source import DemoTruth
from core.ml.tasks.behaviour.evaluate import evaluate_behaviour
from core.ml.tasks.behaviour.jobs import predict_behaviour
from core.ml.trainer import TrainConfig
from core.project import Project
from core.demo.project import (
    add_tracked_truth_poses,
    create_demo_project,
    truth_path,
)


def code_spread_blocks(project, truth: GroundTruth, fraction: float, blocks: int) -> int:
    """Replace the user's events by ground-truth events over `blocks` evenly spread blocks."""
    video_id = project.videos.all()[0].id
    ids = {b.name: b.id for b in project.behaviours.all()}
    tracks = sorted(t.id for t in project.tracks.all())
    for e in project.events.in_video(video_id, source="user"):
        project.events.delete(e.id)
    length = int(truth.n_frames * fraction / blocks)
    starts = np.linspace(0, truth.n_frames - length, blocks).round().astype(int)
    events = []
    for start in starts:
        for k in truth.track_ids:
            for name, s, e in truth.behaviour_bouts(k):
                lo, hi = max(s, start), min(e, start + length - 1)
                if lo <= hi:
                    events.append(BehaviourEvent(video_id, ids[name], int(lo), int(hi), tracks[k]))
    project.events.add_many(events)
    return length * blocks


def run(project, label: str, options: dict, config: TrainConfig) -> dict:
    events: list[dict] = []
    began = time.monotonic()
    model = train(project, "behaviour", options, config, collect(events))
    seconds = time.monotonic() - began
    epochs = [e for e in events if e["event"] == "epoch"]
    head_seconds = epochs[-1]["elapsed_s"] if epochs else float("nan")
    began = time.monotonic()
    predict_behaviour(project, model.id, project.videos.all()[0].id)
    predict_seconds = time.monotonic() - began
    report = evaluate_behaviour(project, model.id, truth=DemoTruth.of(project))
    per = {k: round(v["f1"], 3) for k, v in report["per_behaviour"].items()}
    print(f"{label}: frame macro F1 {report['macro_f1_frame']:.3f}  event macro F1 {report['macro_f1_event']:.3f}  "
          f"on {report['frames']} never-coded subject-frames; per behaviour F1 {per}; train job {seconds:.1f} s "
          f"(head {head_seconds:.1f} s, {len(epochs)} epochs), predict {predict_seconds:.1f} s", flush=True)  # fmt: skip
    if "confusion" in report:
        print("  confusion (rows true, columns predicted):", report["confusion"]["labels"], flush=True)
        for name, row in zip(report["confusion"]["labels"], report["confusion"]["matrix"]):
            print(f"  {name:>8} {row}", flush=True)
    return {"label": label, "train_s": seconds, "head_s": head_seconds, "epochs": len(epochs), "predict_s": predict_seconds, **report}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=20.0, help="length of the demo world")
    parser.add_argument("--animals", type=int, default=3)
    parser.add_argument("--noise", type=float, default=2.0, help="pixels of noise on the stand-in pose predictions")
    parser.add_argument("--coded", type=float, default=0.1, help="fraction of the frames coded")
    parser.add_argument("--block-seconds", type=float, default=3.0, help="length of each coded block")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--patience", type=int, default=0, help="early stopping (0: train every epoch, keep the best)")
    parser.add_argument("--video", action="store_true", help="also train with video features (slow: a CNN pass over the video)")
    parser.add_argument("--ceiling", action="store_true", help="also train on 80%% of the frames with noise-free poses")
    parser.add_argument("--keep", help="build the demo project in this folder (kept afterwards)")
    parser.add_argument("--reuse", action="store_true", help="with --keep: reuse the project already there (same world)")
    parser.add_argument("--json", help="write the reports to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_behaviour_")) / "demo"
    began = time.monotonic()
    world = WorldConfig(seconds=args.minutes * 60, n_animals=args.animals)
    if args.reuse and (folder / "project.sqlite").is_file():
        project = Project.open(folder)
        project.instances.delete_predictions(project.videos.all()[0].id)
        truth = GroundTruth.load(truth_path(project))
        assert truth.config == world, f"{folder} holds another world: {truth.config}"
    else:
        if folder.exists():
            shutil.rmtree(folder)
        project = create_demo_project(folder, world, coded_fraction=0.0)
        truth = GroundTruth.load(truth_path(project))
    print(f"demo project: {truth.n_frames} frames, {args.animals} mice, made in {time.monotonic() - began:.0f} s", flush=True)
    config = TrainConfig(epochs=args.epochs, patience=args.patience, lr=2e-3, warmup_steps=20)
    reports = []
    with project:
        added = add_tracked_truth_poses(project, truth, noise_px=args.noise)
        blocks = max(1, round(truth.n_frames * args.coded / (args.block_seconds * world.fps)))
        coded = code_spread_blocks(project, truth, args.coded, blocks)
        print(f"{added} tracked poses (ground truth + {args.noise} px noise) as predicted instances; "
              f"coded {coded} frames ({coded / truth.n_frames:.1%}) in {blocks} spread blocks", flush=True)  # fmt: skip
        reports.append(run(project, "P pose features", {"video": False}, config))
        if args.video:
            reports.append(run(project, "V video features", {"pose": False}, config))
            reports.append(run(project, "B pose and video features", {"video": True}, config))
        if args.ceiling:
            project.instances.delete_predictions(project.videos.all()[0].id)
            add_tracked_truth_poses(project, truth, noise_px=0.0)
            coded = code_spread_blocks(project, truth, 0.8, blocks)
            print(f"ceiling: noise-free poses, {coded / truth.n_frames:.0%} of the frames coded", flush=True)
            reports.append(run(project, "ceiling: pose features, 80% coded, no noise", {"video": False}, config))
            ceiling = reports[-1]["macro_f1_frame"]
            for report in reports[:-1]:
                print(f"{report['label']}: {report['macro_f1_frame'] / ceiling:.2f} of the ceiling's frame macro F1", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2))
    if not args.keep:
        shutil.rmtree(folder.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
