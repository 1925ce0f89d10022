"""Put on PYTHONPATH of the `ethoframe predict` child process by the predict-dialog test: Python
imports `sitecustomize` at start-up, so the child knows the toy task the test registered in its
own process (a monkeypatch cannot cross a process boundary)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import toy_review_task  # noqa: E402 - after the path is set

from core.ml.tasks import registry  # noqa: E402

registry.register(toy_review_task.TASK, replace=True)
