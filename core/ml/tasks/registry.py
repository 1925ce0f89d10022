"""The one place that knows which model tasks exist: `BUILT_IN` names each task object as
"module:ATTRIBUTE", imported on first use (a task's `task.py` imports no torch, so listing the
tasks for `--task` or the Train dialog stays cheap, and `ethoframe info` never imports a model).

    registry.get("pose").build_adapter(project, options)
    registry.names()                     # ("pose", "detect", "segment", "behaviour", "classify", ...)
    registry.register(MyTask())          # a plug-in's or a test's task, next to the built-in ones

Adding a task: a folder under `core/ml/tasks/` whose `task.py` defines its `ModelTask`
(`core.ml.tasks.task`), and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core.ml.tasks.task import ModelTask

BUILT_IN = (
    "core.ml.tasks.pose.task:POSE",
    "core.ml.tasks.detection.task:DETECT",
    "core.ml.tasks.detection.task:SEGMENT",
    "core.ml.tasks.behaviour.task:BEHAVIOUR",
    "core.ml.tasks.classify.task:CLASSIFY",
)

_tasks: dict[str, ModelTask] = {}
_loaded = False


def _load() -> dict[str, ModelTask]:
    global _loaded
    if not _loaded:
        for entry in BUILT_IN:
            module, _, attribute = entry.partition(":")
            task = getattr(importlib.import_module(module), attribute)
            _tasks.setdefault(task.name, task)
        _loaded = True
    return _tasks


def tasks() -> tuple[ModelTask, ...]:
    """Every registered task, built-in ones first, in the order the Train dialog lists them."""
    return tuple(_load().values())


def tasks_by_name() -> dict[str, ModelTask]:
    return dict(_load())


def names() -> tuple[str, ...]:
    return tuple(_load())


def get(name: str) -> ModelTask:
    """The task called `name`; ValueError naming the known ones otherwise."""
    found = _load().get(name)
    if found is None:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(_load())}")
    return found


def register(task: ModelTask, replace: bool = False) -> ModelTask:
    """Add `task` (a `ModelTask` with a `name`); a name already taken raises ValueError unless
    `replace`. Returns the task."""
    known = _load()
    if not getattr(task, "name", None):
        raise ValueError("a task needs a name")
    if task.name in known and not replace and known[task.name] is not task:
        raise ValueError(f"a task called {task.name!r} is registered already")
    known[task.name] = task
    return task


def unregister(name: str) -> None:
    _load().pop(name, None)


@contextmanager
def registered(*added: ModelTask) -> Iterator[None]:
    """`added` registered (replacing any of the same name) for the block, then the registry as
    it was before (for tests)."""
    before = dict(_load())
    try:
        for task in added:
            register(task, replace=True)
        yield
    finally:
        _tasks.clear()
        _tasks.update(before)


def build_adapter(project, task: str, options: dict[str, Any] | None = None):
    return get(task).build_adapter(project, dict(options or {}))


def load_predictor(payload: dict[str, Any], device):
    return get(payload.get("task")).load_predictor(payload, device)
