"""The pose quality bar on the demo project: train for a time budget on its few dozen labelled
frames, then score against the demo's exact ground truth on frames that were never labelled.

    python bench/bench_pose_demo.py [--project /tmp/pose_demo] [--minutes 10] [--frames 200]
                                    [--evaluate-only] [--options '{"mode": "topdown"}']

Creates the default demo project (640x480, 60 s, 3 mice, 40 labelled frames) when the folder
does not hold one, trains single-threaded (OMP_NUM_THREADS=1, torch.set_num_threads(1), as the
issue's protocol says) with the shared `Trainer` and `TrainConfig(minutes=...)`, takes the best
checkpoint, and predicts `--frames` evenly spaced unlabelled frames. Instances are matched to the
truth per frame by the Hungarian algorithm; errors are in full-resolution pixels over every
labelled keypoint of every animal in view (hidden-under-another-animal points included, as
labelled), misses counted as failures in PCK. OKS mAP uses the truth boxes' areas and a uniform
per-node sigma of 0.05 (see `core.ml.metrics.keypoints`). Inference speed is frames/s of
`PosePredictor.predict` (pre-processing, both networks, peak finding), decoding excluded, in wall
time and per CPU second of this process (what an idle core would give: the machine is shared).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from core.demo import GroundTruth
from core.ml.checkpoint import load_checkpoint
from core.ml.metrics.keypoints import FrameKeypoints, keypoint_metrics
from core.ml.tasks.pose import build_adapter, load_predictor
from core.ml.trainer import TrainConfig, Trainer
from core.project import Project
from core.video import open_video
from core.demo.project import create_demo_project, truth_path


def open_demo(folder: Path) -> Project:
    if (folder / "project.sqlite").is_file():
        return Project.open(folder)
    print(f"creating the demo project in {folder} ...", flush=True)
    return create_demo_project(folder)


def train(project: Project, out: Path, minutes: float, options: dict) -> Path:
    began = time.monotonic()
    adapter = build_adapter(project, options)
    config = adapter.config
    print(f"data: {len(adapter.labels.train)} training and {len(adapter.labels.val)} validation frames "
          f"({time.monotonic() - began:.1f} s to load); mode {config.mode}, animal {config.animal_px:.0f} px, "
          f"crop {config.crop_size} px at scale {config.crop_scale}, centroid scale {config.centroid_scale}, "
          f"input scale {config.input_scale}", flush=True)  # fmt: skip
    steps, speed = [], []

    def emit(event: dict) -> None:
        if event["event"] == "step":
            steps.append(event["loss"])
            speed.append(event["images_per_s"])
        elif event["event"] == "epoch":
            m = event["metrics"]
            print(f"  epoch {event['epoch']:3d}  {event['elapsed_s']:5.0f} s  train loss {event['train_loss']:.3f}  "
                  f"val median {m.get('val_median_px_error', float('nan')):.2f} px  "
                  f"pck@5 {m.get('val_pck_5px', float('nan')):.2f}  found {m.get('val_instances_found', float('nan')):.2f}",
                  flush=True)  # fmt: skip

    result = Trainer(adapter, TrainConfig(minutes=minutes), out, emit).fit()
    print(f"trained {result.epochs_run} epochs, {len(steps)} steps in {minutes} min ({result.stopped}); "
          f"loss {np.mean(steps[:10]):.3f} -> {np.mean(steps[-10:]):.3f}; "
          f"{np.median(speed):.1f} training samples/s", flush=True)  # fmt: skip
    return result.best_path


def evaluate(project: Project, checkpoint: Path, n_frames: int) -> dict:
    truth = GroundTruth.load(truth_path(project))
    (video,) = project.videos.all()
    labelled = {index for _, index in project.instances.labeled_frames(video.id)}
    unlabelled = np.array([i for i in range(truth.n_frames) if i not in labelled])
    chosen = unlabelled[np.linspace(0, len(unlabelled) - 1, n_frames).round().astype(int)]
    reader = open_video(video.path)
    try:
        frames = [np.array(reader.read(int(i))) for i in chosen]
    finally:
        reader.close()
    predictor = load_predictor(load_checkpoint(checkpoint, "pose"), "cpu")
    predictor.predict_arrays(frames[:2])  # warm-up
    began, cpu_began = time.perf_counter(), time.process_time()
    predictions = []
    for start in range(0, len(frames), 8):
        predictions.extend(predictor.predict_arrays(frames[start : start + 8]))
    fps = len(frames) / (time.perf_counter() - began)
    cpu_fps = len(frames) / (time.process_time() - cpu_began)
    scored = []
    for index, poses in zip(chosen, predictions):
        animals = truth.frame(int(index))
        keypoints = np.stack([a.keypoints for a in animals]) if animals else np.zeros((0, len(truth.skeleton.nodes), 3))
        areas = np.array([float((a.box[2] - a.box[0]) * (a.box[3] - a.box[1])) for a in animals])
        scored.append(FrameKeypoints(keypoints, poses.keypoints, poses.scores, areas))
    metrics = keypoint_metrics(scored)
    return {"frames": len(frames), **metrics, "inference_frames_per_s": fps, "inference_frames_per_cpu_s": cpu_fps}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=Path("/tmp/pose_demo"))
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--out", type=Path, default=None, help="run folder (default PROJECT/models/bench_pose)")
    parser.add_argument("--options", type=json.loads, default={}, help="pose options as JSON")
    parser.add_argument("--evaluate-only", action="store_true", help="score the run folder's best.pt, no training")
    args = parser.parse_args()
    torch.set_num_threads(1)
    project = open_demo(args.project)
    out = args.out or project.folder / "models" / "bench_pose"
    checkpoint = out / "best.pt" if args.evaluate_only else train(project, out, args.minutes, args.options)
    result = evaluate(project, checkpoint, args.frames)
    print(json.dumps({k: round(v, 4) for k, v in result.items()}, indent=1))
    print(f"median {result['median_px_error']:.2f} px, mean {result['mean_px_error']:.2f} px, "
          f"PCK@5 {result['pck_5px']:.3f}, PCK@10 {result['pck_10px']:.3f}, OKS mAP {result['oks_map']:.3f}, "
          f"found {result['instances_found']:.3f}, inference {result['inference_frames_per_s']:.1f} frames/s "
          f"(single thread; {result['inference_frames_per_cpu_s']:.1f} per CPU second, the rate on an idle core) "
          f"on {result['frames']} unlabelled frames")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
