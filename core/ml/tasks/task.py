"""What one model task (pose, detect, segment, behaviour, classify, or a test's own) is to the rest of the
house: everything the CLI, the jobs and the Train dialog need to know about it, in one object
the registry (`core.ml.tasks.registry`) hands out by name. None of them branch on a task name.

    task = registry.get("pose")
    task.display_name, task.availability(project)        # the Train dialog
    adapter = task.build_adapter(project, options)        # the trainer (`TaskAdapter`, base.py)
    predictor = task.load_predictor(payload, device)      # a checkpoint back to a model
    summary = task.predict(project, model, video_id)      # `ethoframe predict`, one video
    report = task.evaluate(project, model, truth=None)    # `ethoframe evaluate`
    task.describe_report(report)                          # its lines for a person

`FrameTask` is the base of the tasks that predict instances frame by frame (pose, detect,
segment): they share the predict job (`core.ml.jobs.predict_job.predict_video`) and the
evaluation (`core.ml.jobs.evaluate_job.evaluate_frames`), and only say how their instances are
scored (`score`). A task that predicts a whole video at once (behaviour) overrides `predict`
and `evaluate`.

This module imports no torch and no task code: building the registry (for the CLI's `--task`
choices or `ethoframe info`) stays cheap; each task imports its machinery inside its methods.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np

    from core.domain import Instance, ModelRecord
    from core.ml.evaluation_truth import TruthSource
    from core.ml.events import Emit
    from core.project import Project

    Sample = tuple[np.ndarray, list[dict[str, Any]]]


def _ignore(_event: dict[str, Any]) -> None:
    return None


class ModelTask:
    """One model task. Subclasses set the class attributes and implement `build_adapter`,
    `load_predictor`, and either `score` (as a `FrameTask`) or `predict` and `evaluate`."""

    name: ClassVar[str]  # what `--task` takes and a model record's `task` holds
    display_name: ClassVar[str]  # the Train dialog's task list
    # The metrics a models list shows first (higher is better unless it is an error).
    key_metrics: ClassVar[tuple[str, ...]] = ()
    # Whether `augmented_samples` can show training samples; else `preview_text` says something.
    has_preview: ClassVar[bool] = False
    # Whether a model predicts a whole video at once (no `--frames`, no `--resume`).
    whole_video: ClassVar[bool] = False
    # Whether `export_model` writes its models as ONNX or TorchScript (`ethoframe export-model`).
    exportable: ClassVar[bool] = False
    # What a checkpoint's recipe (its `adapter` state) must hold, key -> type, checked before
    # anything is built from it (`core.ml.checkpoint_checks`); `recipe_nested` for its mappings.
    recipe: ClassVar[dict[str, Any]] = {}
    recipe_nested: ClassVar[dict[str, dict[str, Any]]] = {}

    # --- training -------------------------------------------------------------------------------

    def options(self, options: dict[str, Any] | None = None) -> Any:
        """The task's options dataclass from `key=value` options (raises ValueError on unknown
        ones, naming the known ones). Every built-in task's is a dataclass with `from_options`,
        `to_dict` and `from_dict`."""
        return dict(options or {})

    def availability(self, project: Project) -> str | None:
        """None when the project's labels can train this task, else why not, in words that say
        what to label (cheap counts only; `build_adapter` has the last word)."""
        return None

    def build_adapter(self, project: Project, options: dict[str, Any] | None = None):
        """The trainer's `TaskAdapter`; raises `TrainingDataError` when the labels cannot train it."""
        raise NotImplementedError

    def load_predictor(self, payload: dict[str, Any], device):
        """A predictor from a checkpoint payload (`load_checkpoint`)."""
        raise NotImplementedError

    # --- what the Train dialog shows --------------------------------------------------------------

    def augmented_samples(self, project: Project, n: int, options: dict[str, Any]) -> list[Sample]:
        """`n` training samples after the task's augmentation (only when `has_preview`)."""
        raise ValueError(f"the {self.name} task has no augmented samples to preview")

    def preview_text(self, project: Project, options: dict[str, Any] | None = None) -> str:
        """What the dialog's preview area says for a task without image samples."""
        return f"{self.display_name}: no augmented samples to preview."

    # --- export -----------------------------------------------------------------------------------

    def export_model(self, project: Project, model: ModelRecord, out, format: str | None = None) -> list:
        """Write `model` as ONNX or TorchScript to `out` with its JSON card (when `exportable`);
        returns the files written."""
        raise ValueError(f"model {model.id} is a {self.name} model: {self.display_name} models cannot be exported yet")

    # --- prediction and evaluation ----------------------------------------------------------------

    def predict(self, project: Project, model: ModelRecord, video_id: int, *, frames: list[int] | None = None,
                batch_size: int = 8, device: str = "auto", resume: bool = False, emit: Emit = _ignore, cancel=None):  # fmt: skip
        """Predict one video and store the predictions; returns a summary with `stopped` and
        `describe()`."""
        raise NotImplementedError

    def describe_video(self, summary) -> str:
        """One line for a person about what `predict` did on one video."""
        return str(summary)

    def total(self, summaries: list) -> str | None:
        """One closing line for several videos' summaries, or None."""
        return None

    def evaluate(self, project: Project, model: ModelRecord, truth: TruthSource | None = None, *, n_frames: int = 200,
                 device: str = "auto", batch_size: int = 8, node_threshold: float | None = None,
                 emit: Emit = _ignore) -> dict[str, Any]:  # fmt: skip
        """The model's scores: against held-out labels (`truth` None) or the truth source given;
        the report's `evaluated_on` says which."""
        raise NotImplementedError

    def describe_report(self, report: dict[str, Any], threshold_given: bool = False) -> list[str]:
        """The report as lines for a person (`ethoframe evaluate` without --json)."""
        lines = [f"model {report['model_id']} ({report['task']}), on {report['frames']} frames "
                 f"({str(report['evaluated_on']).replace('_', ' ')}):"]  # fmt: skip
        if report.get("node_threshold") is not None:
            whose = "given" if threshold_given else "the model's"
            lines.append(f"  node threshold {report['node_threshold']:g} ({whose}): nodes under it count as not found")
        for key, value in report.items():
            if key in ("model_id", "task", "frames", "evaluated_on", "node_threshold"):
                continue
            if value is None or isinstance(value, (int, float)):
                lines.append(f"  {key:<20} {'n/a' if value is None else f'{value:.4g}'}")
        return lines


class FrameTask(ModelTask):
    """A task whose predictor takes RGB frames and returns instances per frame (an `Instance`,
    or a dict with box/score/class_id/mask/keypoints): the shared predict job and evaluation."""

    def predict(self, project, model, video_id, *, frames=None, batch_size=8, device="auto", resume=False, emit=_ignore, cancel=None):
        from core.ml.jobs.predict_job import predict_video

        return predict_video(project, video_id, model.id, frames, batch_size, device, resume, emit, cancel)

    def describe_video(self, summary) -> str:
        return f"{summary.instances} instances on {summary.frames} frames ({summary.frames_per_s:.1f} frames/s)"

    def total(self, summaries: list) -> str | None:
        from core.ml.jobs.predict_job import PredictSummary

        return PredictSummary.total(summaries).describe() if summaries else None

    def evaluate(self, project, model, truth=None, *, n_frames=200, device="auto", batch_size=8, node_threshold=None,
                 emit=_ignore) -> dict[str, Any]:  # fmt: skip
        from core.ml.jobs.evaluate_job import evaluate_frames

        return evaluate_frames(project, model, self, truth, n_frames=n_frames, device=device, batch_size=batch_size,
                               node_threshold=node_threshold)  # fmt: skip

    def score(self, truth: list[list[Instance]], found: list[list[Instance]]) -> dict[str, float | None]:
        """Scores of the instances `found` against the `truth`, frame by frame (plain names:
        `box_map50`, `pck_10px`...); NaN becomes None."""
        raise NotImplementedError


def finite(metrics: dict[str, float]) -> dict[str, float | None]:
    """NaN (nothing to score) as None, so a report is valid JSON."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in metrics.items()}
