"""Whole-video analyses on a video of 100,000 predictions (issue 14): suspects and the review
queue's orders, read as arrays, against the per-instance versions they replaced, in one run:

    python bench/bench_review_analysis.py [--frames 20000] [--per-frame 5] [--wander] [--project DIR]

The project is bench_gui_edit's (built here without Qt and without a video file): users' poses
on every 100th frame, and `per-frame` tracked predicted 4-node poses with boxes on every frame,
each animal in its own lane. `--wander` makes the animals random-walk instead (they cross,
10% of detections are missed, identities swap now and then, tracks fragment halfway), which
brings out crossings, count changes and the assignments only scipy can settle. `--project`
times an existing project's first video instead of building one.

Prints, per analysis, the median of `--repeats` runs, the per-instance baseline (one run: the
code as it was, kept in tests/core/tracking/reference_analysis.py), the speed-up, and whether
the results are identical. Goal (issue 14): well under 1 s each at 100,000 predictions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "core" / "tracking")]

from reference_analysis import disagreement_order_per_frame, find_suspects_per_instance  # noqa: E402

from core.domain import Box, Instance, ModelRecord, Skeleton, Track, Video  # noqa: E402
from core.project import Project  # noqa: E402
from core.tracking import find_suspects  # noqa: E402
from core.workflows.review import review_order  # noqa: E402

NODES = ("head", "thorax", "abdomen", "tail")
LABEL_EVERY = 100


def pose(x: float, y: float) -> np.ndarray:
    return np.array([[x, y + 6 * n, 2] for n in range(len(NODES))], dtype=np.float32)


def build(folder: Path, frames: int, per_frame: int, wander: bool) -> None:
    rng = np.random.default_rng(0)
    with Project.create(folder) as project:
        video = project.videos.add(Video(str(folder / "long.mp4"), frames, 30.0, 128, 128, "b" * 64))
        skeleton = project.skeletons.add(Skeleton.from_names("fly", NODES, list(zip(NODES, NODES[1:]))))
        tracks = [project.tracks.add(Track(f"animal {n}")).id for n in range(2 * max(per_frame, 2))]
        users = [
            Instance(video.id, f, track_id=tracks[n], skeleton_id=skeleton.id, box=Box(14 + 40 * n, 10, 34 + 40 * n, 40), keypoints=pose(24 + 40 * n, 16))
            for f in range(0, frames, LABEL_EVERY)
            for n in range(2)
        ]  # fmt: skip
        project.instances.add_many(users)
        model = project.models.add(ModelRecord("bench pose model", "pose", "models/bench"))
        position = np.stack([20 + 20 * np.arange(per_frame), np.full(per_frame, 74.0)], axis=1)
        for start in range(0, frames, 5000):
            batch = []
            for f in range(start, min(start + 5000, frames)):
                if wander:
                    position = np.clip(position + rng.normal(0, 1.5, position.shape), 0, 128)
                for n in range(per_frame):
                    if wander and rng.random() < 0.1:
                        continue
                    x = position[n, 0] if wander else 20 + 20 * n + rng.normal(0, 0.5)
                    y = position[n, 1]
                    track = tracks[n + per_frame * (wander and f > frames // 2 and n % 2)]
                    if wander and rng.random() < 0.002:
                        track = tracks[(n + 1) % per_frame]
                    batch.append(Instance(
                        video.id, f, track_id=track, skeleton_id=skeleton.id, box=Box(x - 8, y - 4, x + 8, y + 26),
                        keypoints=pose(x, y), keypoint_scores=np.full(len(NODES), 0.9, np.float32),
                        source="predicted", score=float(rng.uniform(0.3, 1.0)), model_id=model.id,
                    ))  # fmt: skip
            project.instances.add_many(batch)


def timed(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    seconds, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--per-frame", type=int, default=5, help="predicted instances per frame")
    parser.add_argument("--wander", action="store_true", help="animals that cross, vanish and swap")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--project", type=Path, help="an existing project (its first video) instead of building one")
    args = parser.parse_args()
    folder = args.project
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="ethoframe-analysis-")) / "project"
        began = time.perf_counter()
        build(folder, args.frames, args.per_frame, args.wander)
        print(f"built {folder} in {time.perf_counter() - began:.1f} s")
    with Project.open(folder) as project:
        video = project.videos.all()[0]
        predicted = project.instances.count("predicted")
        print(f"video {video.id}: {video.frame_count:,} frames, {predicted:,} predicted instances in the project\n")
        cases = [
            ("find_suspects (predicted)", lambda: find_suspects(project, video.id, source="predicted"),
             lambda: find_suspects_per_instance(project, video.id, source="predicted")),
            ("find_suspects (all)", lambda: find_suspects(project, video.id),
             lambda: find_suspects_per_instance(project, video.id)),
            ("review order: disagreement", lambda: review_order(project, video.id, "disagreement", 0.0),
             lambda: disagreement_order_per_frame(project, video.id, 0.0)),
            ("review order: confidence", lambda: review_order(project, video.id, "confidence", 0.0), None),
            ("track_frames", lambda: project.instances.track_frames(video.id), None),
        ]  # fmt: skip
        print(f"{'analysis':<30}{'arrays':>12}{'per-instance':>15}{'speed-up':>10}  identical  found")
        for name, new, old in cases:
            seconds, result = timed(new, args.repeats)
            line = f"{name:<30}{1e3 * seconds:>9.0f} ms"
            if old is not None:
                old_seconds, expected = timed(old, 1)
                line += f"{1e3 * old_seconds:>12.0f} ms{old_seconds / seconds:>9.1f}x  {str(result == expected):<9}"
            else:
                line += f"{'':>15}{'':>10}  {'':<9}"
            print(f"{line}  {len(result)}", flush=True)
    print("\ngoal (issue 14): each whole-video analysis well under 1 s at 100,000 predictions")


if __name__ == "__main__":
    main()
