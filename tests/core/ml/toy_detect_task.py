"""A toy "detection" task for testing the job orchestration without training a real network:
it learns nothing useful, and always predicts one box per frame."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from toy_task import ToyAdapter  # noqa: E402

from core.ml.tasks.detection.task import DetectionTask  # noqa: E402


def build_adapter(project, options):
    if not project.instances.labeled_frames():
        from core.ml.tasks.errors import TrainingDataError

        raise TrainingDataError("this project has no labels to train on")
    adapter = ToyAdapter(batches=2)
    adapter.task = "toy"
    return adapter


class BoxPredictor:
    def __init__(self, box):
        self.box = box
        self.calls = 0

    def predict(self, frames):
        self.calls += 1
        return [[{"box": self.box, "score": 0.9, "class_id": None}] for _ in frames]


def load_predictor(payload, device):
    return BoxPredictor((2.0, 2.0, 20.0, 20.0))


class ToyDetectTask(DetectionTask):
    """The toy as a registered task (`registry.registered(ToyDetectTask())`), scored like
    detection (box mAP); `name` may stand in for a real task ("detect") where a test needs one."""

    display_name = "Toy (one box per frame)"
    recipe = {}  # its checkpoint holds no detector recipe

    def __init__(self, name: str = "toy") -> None:
        self.name = name

    def availability(self, project):
        return None

    def build_adapter(self, project, options=None):
        adapter = build_adapter(project, options)
        adapter.task = self.name
        return adapter

    def load_predictor(self, payload, device):
        return load_predictor(payload, device)
