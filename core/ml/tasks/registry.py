"""Which module trains and runs each task. Imported lazily: `ethoframe info` never pays for torch
models it does not use."""

from __future__ import annotations

import importlib
from typing import Any

TASKS = {
    "pose": "core.ml.tasks.pose",
    "detect": "core.ml.tasks.detection",
    "segment": "core.ml.tasks.detection",
    "behaviour": "core.ml.tasks.behaviour",
}


def _module(task: str):
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    return importlib.import_module(TASKS[task])


def build_adapter(project, task: str, options: dict[str, Any]):
    module = _module(task)
    if module.__name__.endswith("detection"):
        return module.build_adapter(project, options, task=task)
    return module.build_adapter(project, options)


def load_predictor(payload: dict[str, Any], device):
    return _module(payload["task"]).load_predictor(payload, device)
