"""Behaviour jobs for the CLI and the GUI: predict a video, re-derive events live from stored
probabilities, evaluate a model, and check the coded events before training.

The jobs serve every task built on the behaviour machinery (`BehaviourTask` and its
subclasses: "behaviour", "classify"). A model given by id may be of any of them; without an id
the newest model of `task` (default "behaviour") is used.

Predicting a video replaces, in one transaction, the earlier predicted events of that video made
by models of the same task (and, for the behaviour task, those of no model: older predictions or
a deleted model's), so a per-animal behaviour model's events and a frame classifier's live side
by side; the user's own events are never touched.
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


def machinery_task(name: str):
    """The registered task called `name` if it is built on the behaviour machinery, else None."""
    from core.ml.tasks import registry
    from core.ml.tasks.behaviour.task import BehaviourTask

    task = registry.tasks_by_name().get(name)
    return task if isinstance(task, BehaviourTask) else None


def machinery_task_names() -> tuple[str, ...]:
    """The registered tasks built on the behaviour machinery ("behaviour", "classify", ...)."""
    from core.ml.tasks import registry

    return tuple(name for name in registry.names() if machinery_task(name) is not None)


def behaviour_model(project: Project, model_id: int | None, task: str | None = None) -> ModelRecord:
    """Model `model_id` (of `task` when given, else of any task built on the behaviour
    machinery), or the newest model of `task` (default "behaviour"); ValueError otherwise."""
    wanted = task or "behaviour"
    model = project.models.get(model_id) if model_id is not None else project.models.newest(wanted)
    if model is None:
        raise ValueError(f"this project has no {wanted} model yet: train one first (ethoframe train --task {wanted})")
    if (task is not None and model.task != task) or machinery_task(model.task) is None:
        raise ValueError(f"model {model.id} is a {model.task} model, not a {task or 'behaviour'} model")
    return model


def replace_predicted_events(project: Project, model: ModelRecord, video_id: int, events: list) -> int:
    """Store `events` as the video's predicted events of `model`'s task: they replace those of
    that task's models (and of no model, for a task that `replaces_unattributed`)."""
    task = machinery_task(model.task)
    same = [m.id for m in project.models.all() if m.task == model.task]
    return project.events.replace_predicted(video_id, events, model_ids=same, unattributed=task.replaces_unattributed)


def predict_behaviour(project: Project, model_id: int | None, video_id: int, emit: Emit = lambda _e: None, cancel=None,
                      device: str = "auto", thresholds: Thresholds = None, min_duration: Durations = None,
                      task: str | None = None) -> BehaviourPredictSummary:  # fmt: skip
    """Probabilities for every frame and subject of a video (stored beside the model), turned
    into predicted events that replace the video's earlier ones of the model's task."""
    model = behaviour_model(project, model_id, task)
    began = time.monotonic()
    payload = load_checkpoint(project.folder / model.path / "best.pt", model.task)
    predictor = load_predictor(payload, choose_device(device), task=model.task)
    emit({"event": "started", "task": model.task, "model_id": model.id, "video_id": video_id,
          "frames": project.videos.get(video_id).frame_count})  # fmt: skip
    progress = lambda done, total: emit({"event": "progress", "done": done, "total": total, "stage": "features"})
    try:
        result = predictor.predict_video(project, video_id, progress=progress, cancel=cancel)
    except Cancelled:
        emit({"event": "cancelled", "model_id": model.id, "video_id": video_id})
        return BehaviourPredictSummary(video_id, model.id, 0, 0, time.monotonic() - began, True)
    result.model_id = model.id
    result.save(probabilities_path(project, model, video_id))
    written = replace_predicted_events(project, model, video_id, result.to_events(thresholds, min_duration, model.id))
    summary = BehaviourPredictSummary(video_id, model.id, len(result.subjects), written, time.monotonic() - began, False)
    emit({"event": "finished", "model_id": model.id, "video_id": video_id, "events": written, "subjects": summary.subjects,
          "seconds": summary.seconds})  # fmt: skip
    return summary


def load_probabilities(project: Project, video_id: int, model_id: int | None = None,
                       task: str | None = None) -> VideoProbabilities | None:  # fmt: skip
    """The stored probabilities of a video (default: the newest model of `task`, itself by
    default "behaviour"), or None if that model has not predicted it."""
    try:
        model = behaviour_model(project, model_id, task)
    except ValueError:
        return None
    path = probabilities_path(project, model, video_id)
    if not path.is_file():
        return None
    result = VideoProbabilities.load(path)
    result.model_id = model.id if result.model_id is None else result.model_id
    return result


def predicted_models(project: Project, video_id: int) -> list[ModelRecord]:
    """The newest model of each behaviour-machinery task that has predicted the video (the
    timeline's probability strips offer one per task), in registry order."""
    found = []
    for name in machinery_task_names():
        model = project.models.newest(name)
        if model is not None and probabilities_path(project, model, video_id).is_file():
            found.append(model)
    return found


def apply_thresholds(project: Project, video_id: int, thresholds: Thresholds = None, min_duration: Durations = None,
                     model_id: int | None = None, task: str | None = None) -> int:  # fmt: skip
    """Re-derive the video's predicted events from its stored probabilities with new thresholds
    (by behaviour id) and minimum durations (frames), and store them as that model's task's
    predicted events; returns how many."""
    try:
        model = behaviour_model(project, model_id, task)
    except ValueError:
        model = None
    result = load_probabilities(project, video_id, model.id) if model is not None else None
    if result is None:
        raise ValueError(f"video {video_id} has no {task or 'behaviour'} predictions to re-threshold: run prediction first")
    return replace_predicted_events(project, model, video_id, result.to_events(thresholds, min_duration, model.id))


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

