"""Predicting over whole videos: frames are decoded on a background thread while the model
runs (decode overlapped with compute), predictions are written one batch per transaction (the
GUI can read and label meanwhile), and a stopped run resumes where it stopped.

Predicting a frame replaces what the same model predicted there before, and nothing else:
imported predictions and other models' predictions stay (the summary counts them), and user
labels are never touched. A frame that cannot be decoded is skipped and counted, and the run
goes on (a video corrupted in one place is not a video that stops every run, or every
`--resume`, there); only a long run of undecodable frames in a row stops it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.domain import Box, Instance, ModelRecord
from core.ml.checkpoint import load_checkpoint
from core.ml.device import choose_device
from core.ml.events import Emit
from core.ml.jobs.searched_frames import SearchedFrames
from core.ml.tasks.registry import load_predictor
from core.project import Project
from core.video import open_video

log = logging.getLogger(__name__)
from core.video.errors import VideoError, VideoNotFoundError

# Undecodable frames in a row after which the video is taken as unreadable, not damaged.
MAX_UNDECODABLE_IN_A_ROW = 100


@dataclass
class PredictSummary:
    """What a run wrote. For a pose model, `nodes` predicted nodes (all kept, with their scores)
    of which `nodes_above` reach the model's `node_threshold`."""

    frames: int
    instances: int
    seconds: float
    stopped: bool
    nodes: int = 0
    nodes_above: int = 0
    node_threshold: float | None = None
    kept: int = 0  # predictions of imports or other models on the predicted frames, left as they were
    kept_by: dict[str, int] = field(default_factory=dict)  # those by origin: "model 2", "coco:results.json"
    undecodable: list[int] = field(default_factory=list)  # frames skipped: they could not be decoded

    @property
    def frames_per_s(self) -> float:
        return self.frames / self.seconds if self.seconds else 0.0

    @property
    def share_above(self) -> float | None:
        """The share of predicted nodes at or above the node threshold (None: no nodes)."""
        return self.nodes_above / self.nodes if self.nodes and self.node_threshold is not None else None

    @classmethod
    def total(cls, summaries: list[PredictSummary]) -> PredictSummary:
        """Several runs (videos) of one model as one."""
        return cls(
            sum(x.frames for x in summaries), sum(x.instances for x in summaries), sum(x.seconds for x in summaries),
            any(x.stopped for x in summaries), sum(x.nodes for x in summaries), sum(x.nodes_above for x in summaries),
            summaries[0].node_threshold if summaries else None, sum(x.kept for x in summaries),
            _add_counts(x.kept_by for x in summaries), [f for x in summaries for f in x.undecodable],
        )  # fmt: skip

    def describe(self) -> str:
        """'12,030 instances; 91 % of nodes above the node threshold 0.05' (pose), or the count."""
        text = f"{self.instances:,} instances"
        if self.share_above is not None:
            text += f"; {100 * self.share_above:.0f} % of nodes above the node threshold {self.node_threshold:g}"
        if self.kept:
            origins = ", ".join(f"{n:,} from {origin}" for origin, n in sorted(self.kept_by.items()))
            text += f"; kept {self.kept:,} predictions from imports or other models on those frames ({origins})"
        if self.undecodable:
            shown = ", ".join(map(str, self.undecodable[:5])) + (" ..." if len(self.undecodable) > 5 else "")
            text += f"; skipped {len(self.undecodable):,} frames that could not be decoded ({shown})"
        return text


def model_checkpoint(project: Project, model: ModelRecord) -> Path:
    return project.folder / model.path / "best.pt"


def load_model_predictor(project: Project, model_id: int | None, task: str | None = None, device: str = "auto"):
    """The predictor of model `model_id` (default: the newest, of `task` if given)."""
    model = project.models.get(model_id) if model_id is not None else project.models.newest(task)
    if model is None:
        raise ValueError("this project has no trained model yet: train one first (ethoframe train)")
    payload = load_checkpoint(model_checkpoint(project, model), model.task)
    return model, load_predictor(payload, choose_device(device))


def as_instance(prediction: Any, video_id: int, frame_index: int, model_id: int) -> Instance:
    """A predictor's output (an Instance, or a dict with box/score/class_id/mask) on a frame."""
    if isinstance(prediction, Instance):
        return prediction.with_changes(video_id=video_id, frame_index=frame_index, source="predicted", model_id=model_id)
    box = prediction.get("box")
    return Instance(
        video_id, frame_index, class_id=prediction.get("class_id"),
        box=Box(*map(float, box)) if box is not None else None, mask=prediction.get("mask"),
        keypoints=prediction.get("keypoints"), keypoint_scores=prediction.get("keypoint_scores"),
        skeleton_id=prediction.get("skeleton_id"), source="predicted", score=prediction.get("score"), model_id=model_id,
    )  # fmt: skip


def _add_counts(counts) -> dict[str, int]:
    total: dict[str, int] = {}
    for count in counts:
        for key, n in count.items():
            total[key] = total.get(key, 0) + n
    return total


def _decode_batch(reader, indices: list[int], undecodable: list[int], streak: int) -> tuple[list[int], list[np.ndarray], int]:
    """The frames of `indices` that decode and their images; the others go to `undecodable`.
    `streak` counts undecodable frames in a row (returned updated); at MAX_UNDECODABLE_IN_A_ROW
    the video is taken as unreadable and this raises."""
    decoded, images = [], []
    for index in indices:
        try:
            images.append(np.array(reader.read(index, cache=False)))
        except VideoNotFoundError:  # the file went away: no later frame will decode either
            raise
        except (VideoError, OSError, ValueError, RuntimeError) as error:
            undecodable.append(index)
            streak += 1
            if streak >= MAX_UNDECODABLE_IN_A_ROW:
                raise VideoError(f"{streak} frames in a row could not be decoded (up to frame {index}): {error}") from error
            continue
        decoded.append(index)
        streak = 0
    return decoded, images, streak


def predict_video(
    project: Project,
    video_id: int,
    model_id: int | None = None,
    frames: list[int] | None = None,
    batch_size: int = 8,
    device: str = "auto",
    resume: bool = False,
    emit: Emit = lambda _event: None,
    cancel=None,
) -> PredictSummary:
    """Predict `frames` (default: every frame) of a video with a model (default: the newest)."""
    model, predictor = load_model_predictor(project, model_id, device=device)
    video = project.videos.get(video_id)
    wanted = sorted(set(range(video.frame_count) if frames is None else frames))
    searched = SearchedFrames(model_checkpoint(project, model).parent, video_id, video.frame_count)
    if resume:  # the frames with the model's predictions, and those it searched and found empty
        done_before = project.instances.frames_predicted_by(video_id, model.id) | searched.frames()
        wanted = [f for f in wanted if f not in done_before]
    emit({"event": "started", "task": model.task, "model_id": model.id, "video_id": video_id, "frames": len(wanted)})
    log.info("predict: video %d with model %d (%s), %d frames", video_id, model.id, model.task, len(wanted))
    batches: queue.Queue = queue.Queue(maxsize=3)
    stop = threading.Event()
    undecodable: list[int] = []

    def decode() -> None:
        try:
            streak = 0
            with open_video(video.path, cache_mb=64) as reader:
                for start in range(0, len(wanted), batch_size):
                    indices = wanted[start : start + batch_size]
                    indices, images, streak = _decode_batch(reader, indices, undecodable, streak)
                    while not stop.is_set():
                        try:
                            batches.put((indices, images), timeout=0.2)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
        except Exception as error:  # surfaced on the consuming thread
            batches.put(error)
            return
        batches.put(None)

    reader_thread = threading.Thread(target=decode, name="predict-decode", daemon=True)
    reader_thread.start()
    began, done, made, kept_by, stopped = time.monotonic(), 0, 0, {}, False
    threshold, nodes, above = model.node_threshold, 0, 0
    try:
        while True:
            item = batches.get()
            if item is None:
                break
            if isinstance(item, Exception):
                raise item
            indices, images = item
            if not indices:  # every frame of the batch was undecodable
                continue
            predictions = predictor.predict(images)
            instances = [as_instance(p, video_id, f, model.id) for f, frame_predictions in zip(indices, predictions) for p in frame_predictions]
            kept_by = _add_counts([kept_by, project.instances.replace_model_predictions(video_id, model.id, indices, instances)])
            searched.add(indices)  # after the commit: a frame is never marked searched before its predictions are stored
            done, made = done + len(indices), made + len(instances)
            if threshold is not None:
                scores = [i.keypoint_scores for i in instances if i.keypoint_scores is not None]
                nodes += sum(len(s) for s in scores)
                above += sum(int((np.asarray(s) >= threshold).sum()) for s in scores)
            elapsed = time.monotonic() - began
            emit({"event": "progress", "done": done, "total": len(wanted), "frames_per_s": done / max(elapsed, 1e-9)})
            if cancel is not None and cancel.is_set():
                stopped = True
                break
    except Exception:
        log.exception("predict: video %d with model %d failed after %d frames", video_id, model.id, done)
        raise
    finally:
        stop.set()
        reader_thread.join(timeout=5)
    kept = sum(kept_by.values())
    summary = PredictSummary(done, made, time.monotonic() - began, stopped, nodes, above, threshold, kept, kept_by, sorted(undecodable))
    log.info("predict: video %d with model %d %s: %d frames, %d instances, %.1f s", video_id, model.id,
             "cancelled" if stopped else "finished", done, made, summary.seconds)  # fmt: skip
    emit({"event": "cancelled" if stopped else "finished", "frames": done, "instances": made,
          "kept": kept, "undecodable": len(undecodable),
          "frames_per_s": summary.frames_per_s, "model_id": model.id, "node_threshold": threshold,
          "nodes_above": summary.share_above})  # fmt: skip
    return summary
