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


class ToyWholeVideoTask(ToyReviewTask):
    """A task that reads the whole video at once (as behaviour does): one predicted 'run' bout
    over frames 2-6 per prediction."""

    name = "toy-video"
    display_name = "Toy (whole-video bouts)"
    whole_video = True

    def predict(self, project, model, video_id, *, frames=None, batch_size=8, device="auto", resume=False, emit=None, cancel=None):
        from core.domain import Behaviour, BehaviourEvent

        if frames is not None:
            raise ValueError("a whole-video task predicts the whole video")
        behaviour = project.behaviours.find("run") or project.behaviours.add(Behaviour("run", "r"))
        emit({"event": "started", "task": self.name, "model_id": model.id, "video_id": video_id})
        written = project.events.replace_predicted(
            video_id, [BehaviourEvent(video_id, behaviour.id, 2, 6, source="predicted", score=0.9, model_id=model.id)]
        )
        emit({"event": "finished", "model_id": model.id, "video_id": video_id, "events": written})


WHOLE_VIDEO_TASK = ToyWholeVideoTask()
