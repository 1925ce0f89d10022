"""The pose quality bar on real data, with the protocol SLEAP's own backend was measured by.

    python bench/bench_pose_sleap.py [--minutes 15] [--project /tmp/pose_sleap]

Imports ../shared/data/sleap/clip.slp (two flies, 1024x1024, 13 nodes), trains on frames 0, 5,
..., 495 (100 frames) for a 15-minute CPU budget single-threaded (OMP_NUM_THREADS=1,
torch.set_num_threads(1)), and tests on frames 1000, 1005, ..., 1495 against SLEAP's user
labels: instances matched per frame by the Hungarian algorithm on mean distance, errors in
full-resolution pixels, PCK over all labelled keypoints with misses counted, OKS mAP, fraction
of instances found, and whole-video inference frames/s single-threaded.

The peer (sleap-nn 0.3.5, top-down centroid + centered-instance UNets, measured with exactly
this protocol on this machine): median 6.7 px, mean 17.9 px, PCK@5 0.38, PCK@10 0.52, 98% of
instances found, 6.4 frames/s.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from core.interchange.slp import import_slp
from core.ml.checkpoint import load_checkpoint
from core.ml.metrics.keypoints import FrameKeypoints, keypoint_metrics
from core.ml.tasks.pose import build_adapter, load_predictor
from core.ml.trainer import TrainConfig, Trainer
from core.project import Project
from core.video import open_video

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sleap"
TRAIN = list(range(0, 500, 5))
TEST = list(range(1000, 1500, 5))
PEER = {"median_px_error": 6.7, "mean_px_error": 17.9, "pck_5px": 0.38, "pck_10px": 0.52, "instances_found": 0.98, "frames_per_s": 6.4}


def project_with(folder: Path, frames: list[int]) -> Project:
    """A project holding clip.slp's labels on `frames` (made once, reused by later runs)."""
    if (folder / "project.sqlite").exists():
        return Project.open(folder)
    project = Project.create(folder)
    import_slp(project, DATA / "clip.slp", frames=frames)
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--project", type=Path, default=Path("/tmp/pose_sleap"))
    parser.add_argument("--options", default="{}", help="pose options as JSON")
    args = parser.parse_args()
    torch.set_num_threads(1)

    project = project_with(args.project, TRAIN)
    truth_project = project_with(args.project.with_name(args.project.name + "-test"), TEST)
    print(f"training on {project.counts().frames_labeled} frames, testing on {truth_project.counts().frames_labeled}", flush=True)

    began = time.monotonic()
    adapter = build_adapter(project, json.loads(args.options))
    result = Trainer(adapter, TrainConfig(minutes=args.minutes), args.project / "models" / "bench", lambda e: None).fit()
    print(f"trained {result.epochs_run} epochs in {(time.monotonic() - began) / 60:.1f} min ({result.stopped})", flush=True)

    predictor = load_predictor(load_checkpoint(result.best_path, "pose"), torch.device("cpu"))
    (video,) = truth_project.videos.all()
    frames, elapsed = [], 0.0
    with open_video(video.path) as reader:
        for index in TEST:
            image = np.array(reader.read(index))
            t = time.perf_counter()
            (found,) = predictor.predict([image])
            elapsed += time.perf_counter() - t
            truth = [i.keypoints for i in truth_project.instances.on_frame(video.id, index, source="user")]
            frames.append(FrameKeypoints(np.stack(truth), np.stack([i.keypoints for i in found]) if found else np.zeros((0, 13, 3)),
                                         np.array([i.score or 0 for i in found])))  # fmt: skip
    metrics = keypoint_metrics(frames)
    metrics["frames_per_s"] = len(TEST) / elapsed
    for key in ("median_px_error", "mean_px_error", "pck_5px", "pck_10px", "oks_map", "instances_found", "frames_per_s"):
        peer = PEER.get(key)
        print(f"{key:<18} {metrics[key]:8.3f}" + (f"   (SLEAP peer {peer})" if peer is not None else ""))


if __name__ == "__main__":
    main()
