"""Saving and loading checkpoints, safely.

A checkpoint is a dict of tensors and plain values saved with `torch.save`, loaded with
`torch.load(weights_only=True)`: no pickled code ever runs. A file that is not an Ethoframe
checkpoint (another program's, a pickle, a damaged file) is refused with a clear message, and
so is one whose recipe would build something no real model is (`checkpoint_checks`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from core.ml.checkpoint_checks import check_recipe

FORMAT = "ethoframe-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """Not an Ethoframe checkpoint, or one this version cannot read."""


def save_checkpoint(path: str | Path, payload: dict[str, Any]) -> Path:
    """Write atomically (a temporary file renamed into place), so a kill mid-save leaves the
    previous checkpoint intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    torch.save({"format": FORMAT, "version": VERSION, **payload}, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | Path, task: str | None = None) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path} does not exist")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # pickles with code, zip errors, truncation
        raise CheckpointError(
            f"{path} is not a checkpoint Ethoframe can load safely ({error.__class__.__name__}); nothing was loaded"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an Ethoframe checkpoint (it was made by another program)")
    if payload.get("version", 0) > VERSION:
        raise CheckpointError(f"{path} was written by a newer Ethoframe (checkpoint version {payload['version']})")
    if task is not None and payload.get("task") != task:
        raise CheckpointError(f"{path} is a {payload.get('task')} model, not a {task} model")
    if "adapter" in payload or "model" in payload:  # a model's checkpoint: its recipe is checked before anything is built
        check_recipe(payload, path, CheckpointError)
    return payload
