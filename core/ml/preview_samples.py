"""What the Train dialog and the models panel show, computed here so the GUI stays thin:
which tasks the project's labels can train (and why not: each registered task says), a few
augmented training samples exactly as the task's own augmentation makes them, and a one-line
summary of each trained model (its key metrics and the labels it saw).

    task_availability(project)            -> {"pose": None, "detect": None, "segment": "no masks...", ...}
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

from core.ml.tasks import registry
from core.project import Project

Sample = tuple[np.ndarray, list[dict[str, Any]]]


def task_availability(project: Project) -> dict[str, str | None]:
    """For each registered task: None when the user's labels can train it, else the reason it
    cannot (cheap counts only; the task's own checks at training time have the last word)."""
    return {task.name: task.availability(project) for task in registry.tasks()}


def key_metrics(task: str) -> tuple[str, ...]:
    """The metrics a models list shows first for `task` (empty for a task no longer registered)."""
    try:
        return registry.get(task).key_metrics
    except ValueError:
        return ()


def augmented_samples(project: Project, task: str, n: int = 6, options: dict[str, Any] | None = None,
                      seed: int | None = None) -> list[Sample]:  # fmt: skip
    """`n` training samples of `task` after the task's augmentation (with `options`, as given
    to training), with their labels moved along. Decodes at most `n` frames. Raises
    `TrainingDataError` when the labels cannot train the task, ValueError when the task has no
    image samples to show (`has_preview`)."""
    chosen = registry.get(task)
    if not chosen.has_preview:
        raise ValueError(f"the {task} task has no augmented samples to preview")
    import torch

    if seed is not None:
        random.seed(seed)
        torch.manual_seed(seed)
    return chosen.augmented_samples(project, n, dict(options or {}))


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
        keys = key_metrics(model.task) or tuple(model.metrics)[:2]
        summaries.append(ModelSummary(
            model.id, model.name, model.task, model.created_at,
            {k: model.metrics.get(k) for k in keys if k in model.metrics},
            run.label_snapshot.get("frames_labeled") if run is not None else None,
            run.metrics.get("stopped") if run is not None else None,
        ))  # fmt: skip
    return sorted(summaries, key=lambda s: s.id, reverse=True)
