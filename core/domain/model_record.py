"""Trained models and the training runs that made them, as the project records them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RunStatus = Literal["running", "finished", "failed", "cancelled"]


@dataclass(frozen=True)
class ModelRecord:
    """A trained model: `path` is its checkpoint folder relative to the project folder."""

    name: str
    task: str
    path: str
    config: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    created_at: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class TrainingRun:
    """One training run: its config, live status, final metrics and the label snapshot it saw."""

    task: str
    config: dict = field(default_factory=dict)
    status: RunStatus = "running"
    metrics: dict = field(default_factory=dict)
    label_snapshot: dict = field(default_factory=dict)
    model_id: int | None = None
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    id: int | None = None
