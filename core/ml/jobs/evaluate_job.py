"""Scoring a trained model, with figures named plainly (`median_px_error`, `pck_5px`,
`oks_map`, `box_map50`, `mask_map50`...).

In a demo project the model is scored against the demo's kept-apart ground truth on frames
that were never labelled; elsewhere, on the labelled frames it held out from training (the
same stable split the trainer used), against the user's labels. A pose model is scored with
its node threshold (or the one asked for) applied: a node under it counts as not found.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.demo import GroundTruth
from core.domain import Box, Instance, Rle
from core.ml.data.split import split_frames
from core.ml.jobs.predict_job import as_instance, load_model_predictor
from core.ml.metrics.boxes import box_map, mask_map
from core.ml.metrics.keypoints import FrameKeypoints, keypoint_metrics
from core.ml.metrics.node_threshold import share_placed, threshold_instance
from core.project import Project
from core.video import open_video
from core.workflows.demo_project import truth_path


def _truth_from_demo(project: Project, video_id: int, n_frames: int) -> dict[int, list[Instance]] | None:
    """Ground-truth instances of up to `n_frames` never-labelled frames, or None if this is
    not a demo project."""
    path = truth_path(project) if project.folder else None
    if path is None or not path.is_file():
        return None
    truth = GroundTruth.load(path)
    labelled = {f for _, f in project.instances.labeled_frames(video_id)}
    candidates = [f for f in range(truth.n_frames) if f not in labelled]
    picks = [candidates[int(i)] for i in np.linspace(0, len(candidates) - 1, min(n_frames, len(candidates))).round()]
    mouse = project.label_classes.find("mouse")
    skeleton = project.skeletons.find("mouse")
    return {
        frame: [
            Instance(video_id, frame, class_id=mouse.id if mouse else None, skeleton_id=skeleton.id if skeleton else None,
                     box=Box(*map(float, a.box)), mask=Rle.from_array(truth.mask(frame, a.track_id)), keypoints=a.keypoints)
            for a in truth.frame(frame)
        ]
        for frame in picks
    }  # fmt: skip


def _truth_from_held_out(project: Project, video_id: int | None) -> dict[tuple[int, int], list[Instance]]:
    frames = project.instances.labeled_frames(video_id)
    fingerprints = {v.id: v.fingerprint for v in project.videos.all()}
    _, held_out = split_frames(frames, fingerprints)
    return {key: project.instances.on_frame(*key, source="user") for key in held_out}


def evaluate(project: Project, model_id: int | None = None, n_frames: int = 200, device: str = "auto", batch_size: int = 8,
             node_threshold: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Score a model (default: the newest). Pose: `node_threshold` (default: the model's) is
    applied to the predictions and reported as `node_threshold`, with `nodes_placed`, the share
    of predicted nodes at or above it."""
    model, predictor = load_model_predictor(project, model_id, device=device)
    if node_threshold is not None and not 0.0 <= node_threshold <= 1.0:
        raise ValueError(f"a node threshold is between 0 and 1, not {node_threshold:g}")
    threshold = node_threshold if node_threshold is not None else model.node_threshold
    videos = project.videos.all()
    truth: dict[tuple[int, int], list[Instance]] = {}
    source = "held_out_labels"
    if len(videos) == 1:
        demo = _truth_from_demo(project, videos[0].id, n_frames)
        if demo is not None:
            truth, source = {(videos[0].id, f): v for f, v in demo.items()}, "demo_ground_truth"
    if not truth:
        truth = _truth_from_held_out(project, None)
    if not truth:
        raise ValueError("nothing to evaluate on: no held-out labelled frames (label more frames, or use the demo)")
    predicted = _predict(project, predictor, model.id, sorted(truth), batch_size)
    keys = sorted(truth)
    found = [predicted[k] for k in keys]
    extra: dict[str, Any] = {}
    if model.task == "pose" and threshold is not None:
        scores = [i.keypoint_scores for frame in found for i in frame if i.keypoint_scores is not None]
        placed = share_placed(scores, threshold)
        extra = {"node_threshold": float(threshold), "nodes_placed": None if math.isnan(placed) else placed}
        found = [[threshold_instance(i, threshold) for i in frame] for frame in found]
    metrics = _score(model.task, [truth[k] for k in keys], found)
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


def _score(task: str, truth: list[list[Instance]], found: list[list[Instance]]) -> dict[str, float]:
    if task == "pose":
        frames = []
        for t, f in zip(truth, found):
            t = [i for i in t if i.keypoints is not None]
            n_nodes = t[0].keypoints.shape[0] if t else (f[0].keypoints.shape[0] if f else 0)
            frames.append(
                FrameKeypoints(
                    np.stack([i.keypoints for i in t]) if t else np.zeros((0, n_nodes, 3)),
                    np.stack([i.keypoints for i in f]) if f else np.zeros((0, n_nodes, 3)),
                    np.array([i.score or 0.0 for i in f]),
                )
            )
        return _finite(keypoint_metrics(frames))

    def detections(images: list[list[Instance]], scores: bool, masks: bool) -> list[list[dict]]:
        return [
            [{"box": i.box.as_tuple(), "class_id": i.class_id, **({"score": i.score or 0.0} if scores else {}),
              **({"mask": i.mask} if masks else {})} for i in image if i.box is not None and (not masks or i.mask is not None)]
            for image in images
        ]  # fmt: skip

    boxes = box_map(detections(truth, False, False), detections(found, True, False))
    metrics = {"box_map": boxes["map"], "box_map50": boxes["map50"], "box_map75": boxes["map75"]}
    if task == "segment":
        masks = mask_map(detections(truth, False, True), detections(found, True, True))
        metrics.update({"mask_map": masks["map"], "mask_map50": masks["map50"], "mask_map75": masks["map75"]})
    return _finite(metrics)


def _finite(metrics: dict[str, float]) -> dict[str, float | None]:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in metrics.items()}
