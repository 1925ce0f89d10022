"""CSV tables for analysis (export only): trajectories and behaviour.

Written to the file named (`traj.csv`, with `traj_behaviour_events.csv`... beside it) or,
for a folder, under these names:

- `trajectories.csv`: `video, frame, track, instance, node, x, y, visibility, score, source`,
  one row per labelled keypoint; an instance without keypoints gives one `centroid` row (the
  centre of its box, mask or polygon).
- `behaviour_events.csv`: one row per bout, with frames and times.
- `behaviour_frames.csv`: per frame and subject, one column per behaviour: the model's
  probability for a prediction that carries them, else 1 inside a bout and 0 outside.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from core.domain import Instance
from core.interchange.dataset import Dataset


def write_csv(dataset: Dataset, out: str | Path) -> list[Path]:
    """Trajectories to `out` itself when it ends in `.csv` (behaviour tables beside it, as
    `<name>_behaviour_events.csv` and `<name>_behaviour_frames.csv`), else the three tables
    under their own names into the folder `out`; returns the files written."""
    out = Path(out)
    if out.suffix.lower() == ".csv":
        trajectories = out
        events, frames = (out.with_name(f"{out.stem}_{name}.csv") for name in ("behaviour_events", "behaviour_frames"))
    else:
        trajectories, events, frames = (out / f"{name}.csv" for name in ("trajectories", "behaviour_events", "behaviour_frames"))
    trajectories.parent.mkdir(parents=True, exist_ok=True)
    written = [_trajectories(dataset, trajectories)]
    if dataset.events:
        written += [_events(dataset, events), _frames(dataset, frames)]
    return written


def _names(dataset: Dataset) -> tuple[dict, dict, dict, dict]:
    return (
        {v.id: v.display_name for v in dataset.videos},
        {t.id: t.name for t in dataset.tracks},
        dataset.by_id("skeletons"),
        {b.id: b.name for b in dataset.behaviours},
    )


def _trajectories(dataset: Dataset, path: Path) -> Path:
    videos, tracks, skeletons, _ = _names(dataset)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["video", "frame", "track", "instance", "node", "x", "y", "visibility", "score", "source"])
        for number, instance in enumerate(dataset.instances):
            common = [videos[instance.video_id], instance.frame_index, tracks.get(instance.track_id, ""), number]
            if instance.keypoints is not None and instance.skeleton_id in skeletons:
                scores = instance.keypoint_scores
                for n, node in enumerate(skeletons[instance.skeleton_id].nodes):
                    x, y, v = instance.keypoints[n]
                    if v > 0:
                        score = scores[n] if scores is not None else instance.score
                        writer.writerow(common + [node, f"{x:.3f}", f"{y:.3f}", int(v), _num(score), instance.source])
            else:
                centre = _centre(instance)
                if centre is not None:
                    writer.writerow(common + ["centroid", f"{centre[0]:.3f}", f"{centre[1]:.3f}", 2, _num(instance.score), instance.source])
    return path


def _num(value) -> str:
    return "" if value is None else f"{float(value):.4f}"


def _centre(instance: Instance) -> tuple[float, float] | None:
    box = instance.box or (instance.mask.bounding_box() if instance.mask is not None else None)
    if box is not None:
        return (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    if instance.polygons:
        points = np.concatenate(instance.polygons)
        return float(points[:, 0].mean()), float(points[:, 1].mean())
    return None


def _events(dataset: Dataset, path: Path) -> Path:
    videos, tracks, _, behaviours = _names(dataset)
    fps = {v.id: v.fps or 30.0 for v in dataset.videos}
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["video", "behaviour", "subject", "start_frame", "end_frame", "start_s", "end_s", "source", "score"])
        for e in dataset.events:
            end = "" if e.end_frame is None else e.end_frame
            end_s = "" if e.end_frame is None else f"{e.end_frame / fps[e.video_id]:.3f}"
            writer.writerow([videos[e.video_id], behaviours[e.behaviour_id], tracks.get(e.subject_id, ""), e.start_frame,
                             end, f"{e.start_frame / fps[e.video_id]:.3f}", end_s, e.source, _num(e.score)])  # fmt: skip
    return path


def _frames(dataset: Dataset, path: Path) -> Path:
    videos, tracks, _, behaviours = _names(dataset)
    order = sorted(behaviours)
    columns = {b: n for n, b in enumerate(order)}
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["video", "frame", "time_s", "subject"] + [behaviours[b] for b in order])
        for video in dataset.videos:
            events = [e for e in dataset.events if e.video_id == video.id]
            if not events:
                continue
            last = max(max(e.end_frame if e.end_frame is not None else e.start_frame for e in events) + 1, video.frame_count)
            for subject in sorted({e.subject_id for e in events}, key=lambda s: (s is not None, s or 0)):
                table = np.zeros((last, len(order)), dtype=np.float32)
                for e in events:
                    if e.subject_id != subject:
                        continue
                    end = e.start_frame if e.end_frame is None else e.end_frame
                    values = e.probabilities if e.probabilities is not None and len(e.probabilities) == end - e.start_frame + 1 else 1.0
                    column = table[e.start_frame : end + 1, columns[e.behaviour_id]]
                    table[e.start_frame : end + 1, columns[e.behaviour_id]] = np.maximum(column, values)
                name = tracks.get(subject, "")
                for frame, row in enumerate(table):
                    writer.writerow([videos[video.id], frame, f"{frame / (video.fps or 30.0):.3f}", name] + [f"{v:.4g}" for v in row])
    return path
