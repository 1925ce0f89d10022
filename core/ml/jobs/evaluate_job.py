"""Scoring a trained model, with figures named plainly (`median_px_error`, `pck_5px`,
`oks_map`, `box_map50`, `mask_map50`, `macro_f1_frame`...).

By default a model is scored on the labelled frames it held out from training (the same stable
split the trainer used), against the user's labels; a caller that has better truth names it
(`truth`, a `core.ml.evaluation_truth.TruthSource`, e.g. the demo's kept-apart ground truth,
which `ethoframe evaluate --truth demo` passes). The report's `evaluated_on` says which.

`evaluate` asks the model's task (the registry) how to score it; `evaluate_frames` is the
scoring of every task that predicts instances frame by frame (pose, detect, segment): the task's
`score` compares them. A pose model is scored with its node threshold (or the one asked for)
applied: a node under it counts as not found.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from core.domain import Instance, ModelRecord
from core.domain.node_threshold import threshold_instance
from core.ml.data.split import split_frames
from core.ml.evaluation_truth import HELD_OUT_LABELS, TruthSource
from core.ml.jobs.predict_job import as_instance, load_model_predictor
from core.ml.metrics.node_threshold import share_placed
from core.ml.tasks import registry
from core.project import Project
from core.video import open_video

if TYPE_CHECKING:
    from core.ml.tasks.task import FrameTask


def chosen_model(project: Project, model_id: int | None) -> ModelRecord:
    """Model `model_id`, or the newest of any task; ValueError when there is none."""
    model = project.models.get(model_id) if model_id is not None else project.models.newest()
    if model is None:
        raise ValueError("this project has no trained model yet: train one first (ethoframe train)")
    return model


def evaluate(project: Project, model_id: int | None = None, truth: TruthSource | None = None, n_frames: int = 200,
             device: str = "auto", batch_size: int = 8, node_threshold: float | None = None, emit=lambda _e: None) -> dict[str, Any]:  # fmt: skip
    """Score a model (default: the newest) against held-out labels, or against `truth`; its task
    decides how. Pose: `node_threshold` (default: the model's) is applied to the predictions and
    reported as `node_threshold`, with `nodes_placed`, the share of predicted nodes at or above it."""
    model = chosen_model(project, model_id)
    return registry.get(model.task).evaluate(project, model, truth, n_frames=n_frames, device=device, batch_size=batch_size,
                                             node_threshold=node_threshold, emit=emit)  # fmt: skip


def held_out_instances(project: Project, video_id: int | None = None) -> dict[tuple[int, int], list[Instance]]:
    """The user's instances on the labelled frames training held out (the trainer's split)."""
    frames = project.instances.labeled_frames(video_id)
    fingerprints = {v.id: v.fingerprint for v in project.videos.all()}
    _, held_out = split_frames(frames, fingerprints)
    return {key: project.instances.on_frame(*key, source="user") for key in held_out}


def evaluate_frames(project: Project, model: ModelRecord, task: FrameTask, truth: TruthSource | None = None,
                    n_frames: int = 200, device: str = "auto", batch_size: int = 8,
                    node_threshold: float | None = None) -> dict[str, Any]:  # fmt: skip
    """A frame-by-frame model's scores (`task.score`) on the held-out labelled frames, or on
    the frames `truth` gives (at most `n_frames`)."""
    if node_threshold is not None and not 0.0 <= node_threshold <= 1.0:
        raise ValueError(f"a node threshold is between 0 and 1, not {node_threshold:g}")
    if truth is None:
        source, instances = HELD_OUT_LABELS, held_out_instances(project)
        if not instances:
            raise ValueError("nothing to evaluate on: no held-out labelled frames (label more frames, or name a truth "
                             "source: --truth demo in the demo project)")  # fmt: skip
    else:
        source, instances = truth.name, truth.instances(project, n_frames)
        if not instances:
            raise ValueError(f"the truth source {truth.name.replace('_', ' ')} has no frames to score this model on")
    _, predictor = load_model_predictor(project, model.id, device=device)
    threshold = node_threshold if node_threshold is not None else model.node_threshold
    keys = sorted(instances)
    predicted = _predict(project, predictor, model.id, keys, batch_size)
    found = [predicted[k] for k in keys]
    extra: dict[str, Any] = {}
    scores = [i.keypoint_scores for frame in found for i in frame if i.keypoint_scores is not None]
    if threshold is not None and (scores or model.node_threshold is not None):  # a model that places nodes
        placed = share_placed(scores, threshold)
        extra = {"node_threshold": float(threshold), "nodes_placed": None if math.isnan(placed) else placed}
        found = [[threshold_instance(i, threshold) for i in frame] for frame in found]
    metrics = task.score([instances[k] for k in keys], found)
    return {"model_id": model.id, "task": model.task, "evaluated_on": source, "frames": len(keys), **extra, **metrics}


def _predict(project, predictor, model_id: int, keys: list[tuple[int, int]], batch_size: int) -> dict[tuple[int, int], list[Instance]]:
    out: dict[tuple[int, int], list[Instance]] = {}
    by_video: dict[int, list[int]] = {}
    for video_id, frame in keys:
        by_video.setdefault(video_id, []).append(frame)
    for video_id, frames in by_video.items():
        with open_video(project.videos.get(video_id).path, cache_mb=64) as reader:
            for start in range(0, len(frames), batch_size):
                chunk = frames[start : start + batch_size]
                results = predictor.predict([np.array(reader.read(f, cache=False)) for f in chunk])
                for frame, found in zip(chunk, results):
                    out[(video_id, frame)] = [as_instance(p, video_id, frame, model_id) for p in found]
    return out
