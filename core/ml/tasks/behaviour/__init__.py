"""The behaviour task: per-frame (and per-subject) behaviour probabilities from coded events.

    adapter = build_adapter(project, {"multilabel": "auto"})          # TaskAdapter, task "behaviour"
    Trainer(adapter, TrainConfig(epochs=60), folder, emit).fit()
    predictor = load_predictor(load_checkpoint(folder / "best.pt", "behaviour"), "cpu")
    result = predictor.predict_video(project, video_id)                 # VideoProbabilities

Jobs for the CLI and the GUI live in `jobs.py` (`predict_behaviour`, `evaluate_behaviour`,
`apply_thresholds`, `load_probabilities`, `check_behaviour_data`); options in `config.py`.
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use (PEP 562): listing the tasks (the registry) must not import torch.
_LAZY = {"BehaviourAdapter": "core.ml.tasks.behaviour.adapter", "BehaviourConfig": "core.ml.tasks.behaviour.config",
         "BehaviourPredictor": "core.ml.tasks.behaviour.predictor", "VideoProbabilities": "core.ml.tasks.behaviour.store",
         "TrainingDataError": "core.ml.tasks.errors"}  # fmt: skip

__all__ = ["BehaviourAdapter", "BehaviourConfig", "BehaviourPredictor", "TrainingDataError", "VideoProbabilities",
           "build_adapter", "load_predictor"]  # fmt: skip


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_adapter(project, options: dict[str, Any] | None = None, task: str = "behaviour"):
    """The behaviour task (or `task`, another built on this machinery: "classify") on `project`'s
    coded events; raises `TrainingDataError` when they cannot train it (its `warnings` list what
    was fixed or left out). Computes or reads the cached video features, which is the slow part
    the first time."""
    from core.ml.tasks.behaviour.adapter import BehaviourAdapter

    return BehaviourAdapter(project, options, task=task)


def load_predictor(checkpoint_payload: dict[str, Any], device="cpu", task: str = "behaviour"):
    """A predictor from a checkpoint of `task` (the task whose model it is: "behaviour", or
    "classify" for a frame classifier built on the same machinery)."""
    import torch

    from core.ml.checkpoint import CheckpointError
    from core.ml.tasks.behaviour.adapter import build_model_from_state
    from core.ml.tasks.behaviour.predictor import BehaviourPredictor

    if checkpoint_payload.get("task") != task:
        raise ValueError(f"this is a {checkpoint_payload.get('task')} model, not a {task} model")
    device = torch.device(device)
    try:
        state = checkpoint_payload["adapter"]
        model = build_model_from_state(state)
        model.load_state_dict(checkpoint_payload["model"])
    except (KeyError, TypeError, RuntimeError) as error:
        raise CheckpointError(f"this {task} checkpoint cannot be rebuilt by this version ({type(error).__name__}: {error})") from None
    model.to(device).eval()
    return BehaviourPredictor(model, state, device)
