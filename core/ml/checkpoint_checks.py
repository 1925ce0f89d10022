"""What a checkpoint's recipe (its `adapter` state: the config a model is rebuilt from) must
hold before anything is built from it.

`torch.load(weights_only=True)` keeps a checkpoint from running code, but the plain values it
carries still size what the predictor allocates: a crafted `crop_size` of 30000 made pose
prediction allocate 3.4 GB and die in a traceback, and a checkpoint of one task filed under
another died in `KeyError: 'backbone'`. So, before any model or buffer exists: each task's
required keys are there with the right types, every size-like number lies in a range a real
model uses, and the structure is small (no number from the file sizes a loop or a list).
Each task states its required keys (`ModelTask.recipe`, `recipe_nested`).
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import Any

# Sizes far above what any trained model uses (pixels, channels, counts), far below what
# would exhaust memory when one of them sizes a tensor.
BOUNDS: dict[str, tuple[float, float]] = {
    "crop_size": (8, 2048), "frame_size": (8, 4096), "min_size": (8, 8192), "max_size": (8, 8192),
    "fpn_channels": (1, 2048), "representation": (1, 8192), "mask_channels": (1, 2048),
    "decoder_channels": (1, 2048), "hidden": (1, 8192), "window": (1, 1 << 16),
    "detections_per_img": (1, 10_000), "batch_size": (1, 4096), "max_instances": (1, 10_000),
    "output_stride": (1, 64), "n_nodes": (0, 1000), "frame_dims": (0, 1 << 16), "crop_dims": (0, 1 << 16),
    "pose_dims": (0, 1 << 16), "input_scale": (1e-3, 16), "crop_scale": (1e-3, 64), "centroid_scale": (1e-3, 16),
    "point_width": (0, 1 << 16), "max_gap": (0, 1 << 20), "split_block": (1, 1 << 20),
}  # fmt: skip
MAX_ITEMS = 100_000  # values in the whole recipe (a detector's class list, a skeleton's nodes)
MAX_DEPTH = 12
MAX_INT = 1 << 40


def check_recipe(payload: dict[str, Any], path: str | Path, error: type[Exception]) -> None:
    """Raise `error` (one line naming `path` and the key) unless `payload`'s adapter state can
    safely rebuild a model of `payload['task']`."""
    from core.ml.tasks import registry  # the tasks' recipes (plain values; no model code is imported)

    task = payload.get("task")
    known = registry.tasks_by_name().get(task) if isinstance(task, str) else None
    if known is None or not known.recipe:  # a task without a recipe (tests' toys): the registry refuses unknown ones
        return
    for key in ("adapter", "model"):
        if not isinstance(payload.get(key), dict):
            raise error(f"{path} is not a complete {task} checkpoint (no {key!r}): it cannot be rebuilt")
    state = payload["adapter"]
    _required(state, known.recipe, path, task, error, "")
    for key, inner in known.recipe_nested.items():
        if not isinstance(state[key], dict):
            raise error(f"{path}: the {task} recipe's {key!r} is not a mapping")
        _required(state[key], inner, path, task, error, f"{key}.")
    if "task" in known.recipe and state["task"] != task:
        raise error(f"{path} says it is a {task} model but its recipe is for {state['task']!r}")
    _walk(state, path, error, "", [0], 0)


def _required(state: dict, wanted: dict, path, task: str, error, prefix: str) -> None:
    for key, kind in wanted.items():
        if key not in state:
            raise error(f"{path} is not a {task} model this version can rebuild: its recipe has no {prefix}{key!r} "
                        "(a checkpoint of another task or another program?)")  # fmt: skip
        value = state[key]
        if not isinstance(value, kind) or (kind is numbers.Integral and isinstance(value, bool)):
            raise error(f"{path}: the recipe's {prefix}{key!r} is a {type(value).__name__}, not what a {task} model needs")


def _walk(value, path, error, where: str, seen: list[int], depth: int) -> None:
    seen[0] += 1
    if seen[0] > MAX_ITEMS or depth > MAX_DEPTH:
        raise error(f"{path}: the model's recipe is larger or deeper than any Ethoframe writes")
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, path, error, f"{where}.{key}" if where else str(key), seen, depth + 1)
            if str(key) in BOUNDS and item is not None:
                _bounded(item, BOUNDS[str(key)], path, error, f"{where}.{key}" if where else str(key))
    elif isinstance(value, (list, tuple)):
        for n, item in enumerate(value):
            _walk(item, path, error, f"{where}[{n}]", seen, depth + 1)
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool) and abs(int(value)) > MAX_INT:
        raise error(f"{path}: the recipe's {where} is {value}, larger than any model uses")
    elif isinstance(value, float) and math.isinf(value):
        raise error(f"{path}: the recipe's {where} is infinite")


def _bounded(value, bounds: tuple[float, float], path, error, where: str) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or not low <= value <= high:
        raise error(f"{path}: the recipe's {where} is {value!r}; a model uses {low:g} to {high:g}, so this checkpoint is "
                    "damaged or crafted and was not loaded")  # fmt: skip
