"""A toy task for the predict dialog's tests: one box per frame, scored by the frame's
brightness (frame i of `write_test_video` has mean brightness 10 * i), so no network trains."""

from __future__ import annotations

import numpy as np

from core.ml.tasks.detection.task import DetectionTask


class BrightnessPredictor:
    def predict(self, frames):
        return [[{"box": (4.0, 4.0, 24.0, 24.0), "score": round(float(np.mean(f)) / 255, 3)}] for f in frames]


def load_predictor(payload, device):
    return BrightnessPredictor()


class ToyReviewTask(DetectionTask):
    name = "toy"
    display_name = "Toy (brightness-scored boxes)"
    recipe = {}  # its checkpoint holds no detector recipe

    def load_predictor(self, payload, device):
        return load_predictor(payload, device)


TASK = ToyReviewTask()
