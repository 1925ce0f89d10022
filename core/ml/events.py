"""The structured events a training or inference job reports, one JSON object per line.

Every event is a dict with an "event" key. The GUI (through a QProcess reading stdout) and
the CLI (printing progress) consume the same stream:

    {"event": "started", "task", "device", "run_id", "config"}
    {"event": "step", "epoch", "step", "loss", "parts": {...}, "lr", "images_per_s", "data_wait"}
    {"event": "epoch", "epoch", "train_loss", "metrics": {...}, "elapsed_s", "eta_s"}
    {"event": "preview", "epoch", "frames": [{"video_id", "frame_index", "instances": [...]}]}
    {"event": "checkpoint", "path", "kind": "last" | "best", "epoch"}
    {"event": "note", "message"}
    {"event": "finished", "model_id", "metrics", "path"} | {"event": "cancelled", ...}
    {"event": "failed", "reason"}
    {"event": "progress", "done", "total"}  (inference, caching)
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import Any, TextIO

Emit = Callable[[dict[str, Any]], None]


def _plain(value: Any) -> Any:
    """JSON-safe: numpy and torch scalars to floats, NaN and infinities to None."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    return value


def json_lines(stream: TextIO | None = None) -> Emit:
    """An emitter writing each event as one JSON line (flushed: a reader sees it at once)."""
    out = stream or sys.stdout

    def emit(event: dict[str, Any]) -> None:
        out.write(json.dumps(_plain(event)) + "\n")
        out.flush()

    return emit


def collect(into: list[dict[str, Any]]) -> Emit:
    """An emitter appending events to a list (tests, scripts)."""
    return lambda event: into.append(_plain(event))


def parse_line(line: str) -> dict[str, Any] | None:
    """An event from one line of a job's output, or None for a line that is not one."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) and "event" in event else None
