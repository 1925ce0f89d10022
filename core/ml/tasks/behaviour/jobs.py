"""Behaviour jobs for the CLI and the GUI: predict a video, re-derive events live from stored
probabilities, evaluate a model, and check the coded events before training.

Predicting a video replaces the earlier predicted events of that video (of any behaviour
model) in one transaction; the user's own events are never touched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from core.domain import ModelRecord
from core.ml.checkpoint import load_checkpoint
from core.ml.device import choose_device
from core.ml.events import Emit
from core.ml.tasks.behaviour import load_predictor
from core.ml.tasks.behaviour.config import BehaviourConfig
from core.ml.tasks.behaviour.data import load_behaviour_labels
from core.ml.tasks.behaviour.store import (
    Durations,
    Thresholds,
    VideoProbabilities,
    probabilities_path,
)
from core.project import Project
from core.runtime.cancel import Cancelled


@dataclass
class BehaviourPredictSummary:
    video_id: int
    model_id: int
    subjects: int
    events: int
    seconds: float
    stopped: bool


def behaviour_model(project: Project, model_id: int | None) -> ModelRecord:
    model = project.models.get(model_id) if model_id is not None else project.models.newest("behaviour")
    if model is None:
        raise ValueError("this project has no behaviour model yet: train one first (ethoframe train --task behaviour)")
    if model.task != "behaviour":
        raise ValueError(f"model {model.id} is a {model.task} model, not a behaviour model")
    return model


def predict_behaviour(project: Project, model_id: int | None, video_id: int, emit: Emit = lambda _e: None, cancel=None,
                      device: str = "auto", thresholds: Thresholds = None, min_duration: Durations = None) -> BehaviourPredictSummary:  # fmt: skip
    """Probabilities for every frame and subject of a video (stored beside the model), turned
    into predicted events that replace the video's earlier ones."""
    model = behaviour_model(project, model_id)
    began = time.monotonic()
    predictor = load_predictor(load_checkpoint(project.folder / model.path / "best.pt", "behaviour"), choose_device(device))
    emit({"event": "started", "task": "behaviour", "model_id": model.id, "video_id": video_id,
          "frames": project.videos.get(video_id).frame_count})  # fmt: skip
    progress = lambda done, total: emit({"event": "progress", "done": done, "total": total, "stage": "features"})
    try:
        result = predictor.predict_video(project, video_id, progress=progress, cancel=cancel)
    except Cancelled:
        emit({"event": "cancelled", "model_id": model.id, "video_id": video_id})
        return BehaviourPredictSummary(video_id, model.id, 0, 0, time.monotonic() - began, True)
    result.model_id = model.id
    result.save(probabilities_path(project, model, video_id))
    written = project.events.replace_predicted(video_id, result.to_events(thresholds, min_duration, model.id))
    summary = BehaviourPredictSummary(video_id, model.id, len(result.subjects), written, time.monotonic() - began, False)
    emit({"event": "finished", "model_id": model.id, "video_id": video_id, "events": written, "subjects": summary.subjects,
          "seconds": summary.seconds})  # fmt: skip
    return summary


def load_probabilities(project: Project, video_id: int, model_id: int | None = None) -> VideoProbabilities | None:
    """The stored probabilities of a video (default: the newest behaviour model's), or None if
    that model has not predicted it."""
    try:
        model = behaviour_model(project, model_id)
    except ValueError:
        return None
    path = probabilities_path(project, model, video_id)
    return VideoProbabilities.load(path) if path.is_file() else None


def apply_thresholds(project: Project, video_id: int, thresholds: Thresholds = None, min_duration: Durations = None,
                     model_id: int | None = None) -> int:  # fmt: skip
    """Re-derive the video's predicted events from its stored probabilities with new thresholds
    (by behaviour id) and minimum durations (frames), and store them; returns how many."""
    result = load_probabilities(project, video_id, model_id)
    if result is None:
        raise ValueError(f"video {video_id} has no behaviour predictions to re-threshold: run prediction first")
    return project.events.replace_predicted(video_id, result.to_events(thresholds, min_duration))


def check_behaviour_data(project: Project, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """What training would see, without computing features: {"ok", "error", "warnings",
    "behaviours", "exclusive", "coded_frames"} (for the training dialog)."""
    from core.ml.tasks.errors import TrainingDataError

    try:
        labels = load_behaviour_labels(project, BehaviourConfig.from_options(options))
    except (TrainingDataError, ValueError) as error:
        return {"ok": False, "error": str(error), "warnings": [], "behaviours": [], "exclusive": None, "coded_frames": 0}
    return {"ok": True, "error": None, "warnings": labels.warnings, "behaviours": [b.name for b in labels.behaviours],
            "exclusive": labels.exclusive, "coded_frames": int(sum(q.coded.sum() for q in labels.sequences))}  # fmt: skip

