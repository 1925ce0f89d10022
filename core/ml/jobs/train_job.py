"""A training job: records the run in the project, trains with the shared trainer, and
registers the model (checkpoint folder, config, metrics, the label snapshot it saw).

The project is touched only at the start (the run record) and the end (the model record and
the run's outcome): training itself never holds the database, so the GUI keeps labelling.
"""

from __future__ import annotations

import hashlib
import json
import logging
import traceback
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

from core.domain import ModelRecord, TrainingRun
from core.ml.events import Emit
from core.ml.jobs.run_recovery import recover_stale_runs, remove_partials, training_lock
from core.ml.tasks.registry import build_adapter
from core.ml.trainer import LossNotFinite, TrainConfig, Trainer
from core.project import Project
from core.runtime.log_file import details_hint

log = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def label_snapshot(project: Project) -> dict[str, Any]:
    """What the labels were when training started: counts, the labelled frames, and a hash
    that changes when any user label changes."""
    frames = project.instances.labeled_frames()
    digest = hashlib.sha256()
    for video_id, frame in frames:
        for instance in project.instances.on_frame(video_id, frame, source="user"):
            digest.update(repr((video_id, frame, instance.id, instance.box, instance.class_id, instance.track_id)).encode())
            if instance.keypoints is not None:
                digest.update(instance.keypoints.tobytes())
    counts = project.counts()
    return {
        "frames": [list(f) for f in frames],
        "frames_labeled": counts.frames_labeled,
        "instances_user": counts.instances_user,
        "behaviour_events": counts.behaviour_events,
        "hash": digest.hexdigest()[:16],
    }


def train(
    project: Project,
    task: str,
    options: dict[str, Any] | None = None,
    config: TrainConfig | None = None,
    emit: Emit = lambda _event: None,
    cancel=None,
    resume_run: int | None = None,
) -> ModelRecord | None:
    """Train `task` on the project's labels; returns the new model record (None if cancelled
    before the first epoch ended). Bad labels raise `TrainingDataError` before anything is
    recorded."""
    options, config = dict(options or {}), config or TrainConfig()
    adapter = build_adapter(project, task, options)  # raises on bad labels: nothing recorded yet
    for warning in getattr(adapter, "warnings", []):
        emit({"event": "note", "message": warning})
    for stale in recover_stale_runs(project):
        emit({"event": "note", "message": f"training run {stale.id} had stopped without a word: marked failed (interrupted)"})
    if resume_run is not None:
        run = project.training_runs.get(resume_run)
        project.training_runs.update(run.id, status="running", error=None)
    else:
        run = project.training_runs.add(
            TrainingRun(task, {"options": options, "train": asdict(config)}, label_snapshot=label_snapshot(project))
        )
    folder = project.models_folder / f"{task}-{run.id:03d}"
    emit({"event": "run", "run_id": run.id, "folder": str(folder)})
    log.info("training run %d (%s) started: %s", run.id, task, folder)
    try:
        with training_lock(folder):
            result = Trainer(adapter, config, folder, emit, cancel).fit(resume=resume_run is not None)
    except BaseException as error:
        remove_partials(folder)  # a checkpoint half-written when the disk filled up
        reason = _reason(error)
        try:
            project.training_runs.update(run.id, status="failed", error=reason, finished_at=_now())
        except Exception:  # noqa: BLE001 (a full disk may refuse this too: the next training marks it)
            pass
        first, _, rest = reason.partition("\n")
        log.error("training run %d (%s) failed: %s", run.id, task, first, exc_info=error)
        emit({"event": "failed", "reason": first + details_hint() + ("\n" + rest if rest else ""), "run_id": run.id})
        raise
    log.info("training run %d (%s) %s after %d epochs", run.id, task, result.stopped, result.epochs_run)
    if not result.best_path.is_file():
        project.training_runs.update(run.id, status="cancelled", finished_at=_now())
        emit({"event": "cancelled", "run_id": run.id})
        return None
    chosen = result.best_metrics.get("val_node_threshold")  # pose: the node threshold validation chose
    model = project.models.add(
        ModelRecord(
            name=f"{task} {run.id}", task=task, path=str(folder.relative_to(project.folder)),
            config={"options": options, "train": asdict(config), "adapter": _plain(adapter.state()),
                    **({"node_threshold": float(chosen)} if isinstance(chosen, (int, float)) else {})},
            metrics=_plain(result.best_metrics),
        )
    )  # fmt: skip
    status = "cancelled" if result.stopped == "cancelled" else "finished"
    verdict = adapter.verdict(result.best_metrics) if hasattr(adapter, "verdict") else None
    outcome = {"verdict": verdict.message, "ready": verdict.ready} if verdict else {}
    project.training_runs.update(
        run.id, status=status, model_id=model.id, metrics={**_plain(result.best_metrics), "stopped": result.stopped,
                                                           "epochs": result.epochs_run, **outcome}, finished_at=_now(),
    )  # fmt: skip
    if verdict:
        emit(verdict.as_event())
    emit({"event": "cancelled" if status == "cancelled" else "finished", "run_id": run.id, "model_id": model.id,
          "metrics": result.best_metrics, "path": str(result.best_path), "stopped": result.stopped, **outcome})  # fmt: skip
    return model


def _reason(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, RuntimeError) and "out of memory" in text.lower():
        return "out of memory: try a smaller batch size or input size"
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    if isinstance(error, (ValueError, OSError, LossNotFinite)):  # their message says it all
        return text
    return f"{error.__class__.__name__}: {text}\n{traceback.format_exc(limit=3)}"


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v)))
