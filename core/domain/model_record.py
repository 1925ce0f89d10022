"""Trained models and the training runs that made them, as the project records them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RunStatus = Literal["running", "finished", "failed", "cancelled"]


@dataclass(frozen=True)
class ModelRecord:
    """A trained model: `path` is its checkpoint folder relative to the project folder.

    A pose model's `node_threshold` is the node score under which its predicted nodes are
    shown dimmed and accepted, exported and scored as unlabelled. It lives in
    `config["node_threshold"]`, set at registration to the threshold chosen on the validation
    frames (`metrics["val_node_threshold"]`) and changed by the user; models recorded before
    that fall back to those metrics, then to the cut their predictor made
    (`config["adapter"]["config"]["node_threshold"]`)."""

    name: str
    task: str
    path: str
    config: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    created_at: str | None = None
    id: int | None = None

    @property
    def node_threshold(self) -> float | None:
        """None for a model without nodes to threshold (detection, segmentation, behaviour)."""
        for value in (
            self.config.get("node_threshold"),
            self.metrics.get("val_node_threshold"),
            ((self.config.get("adapter") or {}).get("config") or {}).get("node_threshold") if self.task == "pose" else None,
        ):
            if isinstance(value, (int, float)):
                return float(value)
        return None


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
