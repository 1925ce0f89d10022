"""How the project store holds up at a million predicted instances.

    python bench/bench_store.py [--instances 1000000] [--nodes 13] [--per-frame 2]

Builds a project with that many predicted keypoint instances (plus a few hundred user labels),
then prints: time to open it, median and p99 time to load one frame's annotations (random
frames), and median time to commit one edit through the edit history. The baseline in the
same run is a raw sqlite3 SELECT of the same frame's rows without decoding, so the ratio shows
what the store's own layer costs.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from core.domain import Box, Instance, Skeleton, Video
from core.edits import EditHistory, move_keypoint, set_box
from core.project import Project


def build(folder: Path, n_instances: int, n_nodes: int, per_frame: int) -> tuple[int, int]:
    rng = np.random.default_rng(0)
    with Project.create(folder) as project:
        n_frames = n_instances // per_frame
        video = project.videos.add(Video("/bench/video.mp4", n_frames, 30.0, 1024, 1024, "b" * 64))
        skeleton = project.skeletons.add(Skeleton(f"{n_nodes} nodes", tuple(f"n{i}" for i in range(n_nodes))))
        keypoints = np.concatenate([rng.uniform(0, 1024, (n_nodes, 2)), np.full((n_nodes, 1), 2)], axis=1)
        batch = 20_000
        for start in range(0, n_instances, batch):
            project.instances.add_many(
                Instance(
                    video.id, (start + k) // per_frame, skeleton_id=skeleton.id, keypoints=keypoints,
                    keypoint_scores=np.full(n_nodes, 0.8), box=Box(0, 0, 50, 50), source="predicted", score=0.9,
                )
                for k in range(min(batch, n_instances - start))
            )  # fmt: skip
        for frame in range(0, n_frames, max(1, n_frames // 300)):
            project.instances.add(Instance(video.id, frame, skeleton_id=skeleton.id, keypoints=keypoints))
        return video.id, n_frames


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=1_000_000)
    parser.add_argument("--nodes", type=int, default=13)
    parser.add_argument("--per-frame", type=int, default=2)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ethoframe-bench-")) / "project"
    started = time.perf_counter()
    video_id, n_frames = build(folder, args.instances, args.nodes, args.per_frame)
    size_mb = (folder / "project.sqlite").stat().st_size / 1e6
    print(f"built {args.instances:,} predicted instances ({args.nodes} nodes) on {n_frames:,} frames "
          f"in {time.perf_counter() - started:.1f} s; database {size_mb:.0f} MB")  # fmt: skip

    started = time.perf_counter()
    project = Project.open(folder)
    open_s = time.perf_counter() - started
    started = time.perf_counter()
    project.counts()
    count_s = time.perf_counter() - started
    print(f"open project: {open_s * 1e3:.0f} ms; count everything (`ethoframe info`): {count_s * 1e3:.0f} ms")

    rng = random.Random(1)
    frames = [rng.randrange(n_frames) for _ in range(args.samples)]
    load_ms = []
    for frame in frames:
        t = time.perf_counter()
        instances = project.instances.on_frame(video_id, frame)
        load_ms.append((time.perf_counter() - t) * 1e3)
        assert len(instances) >= args.per_frame

    raw = sqlite3.connect(folder / "project.sqlite")
    raw_ms = []
    query = ("SELECT i.* FROM instances i JOIN frames f ON f.id = i.frame_id "
             "WHERE f.video_id = ? AND f.frame_index = ?")  # fmt: skip
    for frame in frames:
        t = time.perf_counter()
        raw.execute(query, (video_id, frame)).fetchall()
        raw_ms.append((time.perf_counter() - t) * 1e3)
    raw.close()

    history = EditHistory(project)
    edit_ms = []
    for frame in frames[:300]:
        target = project.instances.on_frame(video_id, frame)[0]
        t = time.perf_counter()
        if target.keypoints is not None:
            history.push(move_keypoint(project, target.id, 0, 10.0, 20.0))
        else:
            history.push(set_box(project, target.id, Box(1, 1, 9, 9)))
        edit_ms.append((time.perf_counter() - t) * 1e3)
    undo_ms = []
    for _ in range(100):
        t = time.perf_counter()
        history.undo()
        undo_ms.append((time.perf_counter() - t) * 1e3)
    project.close()

    med_load, med_raw = statistics.median(load_ms), statistics.median(raw_ms)
    print(f"load one frame's annotations: median {med_load:.3f} ms, p99 {percentile(load_ms, 99):.3f} ms "
          f"(raw sqlite3 rows, no decoding: median {med_raw:.3f} ms; ratio {med_load / med_raw:.1f}x)")  # fmt: skip
    print(f"commit one edit (ask + apply, one transaction): median {statistics.median(edit_ms):.3f} ms, "
          f"p99 {percentile(edit_ms, 99):.3f} ms; undo median {statistics.median(undo_ms):.3f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
