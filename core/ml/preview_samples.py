"""What the Train dialog and the models panel show, computed here so the GUI stays thin:
which tasks the project's labels can train (and why not), a few augmented training samples
exactly as the task's own augmentation makes them, and a one-line summary of each trained
model (its key metrics and the labels it saw).

    task_availability(project)            -> {"pose": None, "detect": None, "segment": "no masks..."}
    augmented_samples(project, "detect", 6) -> [(rgb uint8 (H, W, 3), [instance dict, ...]), ...]
    model_summaries(project)              -> [ModelSummary, ...]

An augmented sample's instances are plain dicts in the sample image's pixels:
{"label": str, "box": [x1, y1, x2, y2] | None, "mask": bool array (H, W) (segment only),
"keypoints": [[x, y, visibility], ...] and "edges": [[a, b], ...] (pose only)}.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.project import Project

TASKS = ("pose", "detect", "segment")
# The metrics a models list shows first, per task (higher is better unless it is an error).
KEY_METRICS: dict[str, tuple[str, ...]] = {
    "detect": ("val_box_map50", "val_box_map"),
    "segment": ("val_mask_map50", "val_box_map50"),
    # What a user can judge first: animals found and nodes placed within 10 px of all labelled
    # ones; a median over the nodes found reads as excellent for a model that places 2 of 13.
    "pose": ("val_instances_found", "val_pck_10px", "val_oks_map"),
}
Sample = tuple[np.ndarray, list[dict[str, Any]]]


def task_availability(project: Project) -> dict[str, str | None]:
    """For each task: None when the user's labels can train it, else the reason it cannot
    (cheap counts only; the task's own checks at training time have the last word)."""
    def count(kind: str) -> int:
        return project.instances.count(source="user", kind=kind)

    keypoints, boxes, masks = count("keypoints"), count("box"), count("mask")
    coded = {e.behaviour_id for v in project.videos.all() for e in project.events.in_video(v.id, source="user")}
    return {
        "pose": None if keypoints else "pose needs keypoint labels: label a skeleton's nodes on a few frames",
        "detect": None if boxes or masks else "detect needs boxes (or masks): draw boxes around the animals on a few frames",
        "segment": None if masks else "segment needs masks or polygons: paint or outline the animals on a few frames",
        "behaviour": None if len(coded) >= 2 else "behaviour needs events of at least two behaviours: code a few bouts on the timeline",
    }


def augmented_samples(project: Project, task: str, n: int = 6, options: dict[str, Any] | None = None,
                      seed: int | None = None) -> list[Sample]:  # fmt: skip
    """`n` training samples of `task` after the task's augmentation (with `options`, as given
    to training), with their labels moved along. Decodes at most `n` frames. Raises
    `TrainingDataError` when the labels cannot train the task."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    import torch

    if seed is not None:
        random.seed(seed)
        torch.manual_seed(seed)
    options = dict(options or {})
    return _pose_samples(project, n, options) if task == "pose" else _box_samples(project, task, n, options)


def _spread(count: int, n: int) -> list[int]:
    """`n` indices spread evenly over range(count), repeating when count < n."""
    return [int(i * count / n) % count for i in range(n)] if count else []


def _to_rgb(image) -> np.ndarray:
    """A float (3, H, W) tensor in [0, 1] as RGB uint8 (H, W, 3)."""
    return (image.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).contiguous().numpy()


def _box_samples(project: Project, task: str, n: int, options: dict[str, Any]) -> list[Sample]:
    from core.ml.data.frame_store import FrameStore
    from core.ml.tasks.detection.augment import Augment
    from core.ml.tasks.detection.labels import read_targets

    targets, classes = read_targets(project, task)
    chosen = [targets[i] for i in _spread(len(targets), n)]
    frames = FrameStore(project)
    frames.load(t.key for t in chosen)
    augment = Augment(options.get("augment"), with_masks=task == "segment")
    samples: list[Sample] = []
    for target in chosen:
        image, out = augment(frames[target.key], target)
        masks = out.get("masks")
        instances = [
            {"label": classes.names[int(label) - 1], "box": [float(v) for v in box],
             **({"mask": masks[i].numpy().astype(bool)} if masks is not None else {})}
            for i, (box, label) in enumerate(zip(out["boxes"].tolist(), out["labels"].tolist()))
        ]  # fmt: skip
        samples.append((_to_rgb(image), instances))
    return samples


def _pose_samples(project: Project, n: int, options: dict[str, Any]) -> list[Sample]:
    from core.ml.data.frame_store import FrameStore
    from core.ml.tasks.pose.config import PoseConfig, fit_scaling
    from core.ml.tasks.pose.data import load_pose_labels
    from core.ml.tasks.pose.samples import SampleMaker

    config = PoseConfig.from_options(options)
    labels = load_pose_labels(project, config.skeleton_id, config.val_fraction)
    videos = project.videos.all()
    largest = max(v.width for v in videos), max(v.height for v in videos)
    fit_scaling(config, [f.keypoints for f in labels.frames], largest)
    pool = labels.train or labels.frames
    chosen = [pool[i] for i in sorted(set(_spread(len(pool), n)))]
    store = FrameStore(project)
    store.load(f.key for f in chosen)
    frames = {f.key: store[f.key] for f in chosen}
    skeleton = labels.skeleton
    maker = SampleMaker(config, frames, chosen, skeleton.flip_permutation(), bool(skeleton.symmetries))
    topdown = config.mode == "topdown"
    units = len(maker.instances) if topdown else len(chosen)
    edges = [list(e) for e in skeleton.edges]
    samples: list[Sample] = []
    for index in _spread(units, n):
        sample = maker.crop(index, augment=True) if topdown else maker.whole(index, augment=True)
        points = sample.points.numpy()
        visible = sample.weights.numpy() > 0
        keypoints = [[float(x), float(y), 2.0 if v else 0.0] for (x, y), v in zip(points, visible)]
        found = points[visible]
        box = [*map(float, found.min(0)), *map(float, found.max(0))] if len(found) else None
        instances = [{"label": skeleton.name, "box": box, "keypoints": keypoints, "edges": edges}]
        samples.append((_to_rgb(sample.image), instances))
    return samples


@dataclass(frozen=True)
class ModelSummary:
    """One trained model as a list shows it: `metrics` holds the task's key metrics in order,
    `frames_labeled` the labelled frames it was trained on (None when not recorded)."""

    id: int
    name: str
    task: str
    created_at: str | None
    metrics: dict[str, float | None] = field(default_factory=dict)
    frames_labeled: int | None = None
    stopped: str | None = None


def model_summaries(project: Project) -> list[ModelSummary]:
    """Every trained model, newest first, with the label snapshot of the run that made it."""
    runs = {run.model_id: run for run in project.training_runs.all() if run.model_id is not None}
    summaries = []
    for model in project.models.all():
        run = runs.get(model.id)
        keys = KEY_METRICS.get(model.task) or tuple(model.metrics)[:2]
        summaries.append(ModelSummary(
            model.id, model.name, model.task, model.created_at,
            {k: model.metrics.get(k) for k in keys if k in model.metrics},
            run.label_snapshot.get("frames_labeled") if run is not None else None,
            run.metrics.get("stopped") if run is not None else None,
        ))  # fmt: skip
    return sorted(summaries, key=lambda s: s.id, reverse=True)
