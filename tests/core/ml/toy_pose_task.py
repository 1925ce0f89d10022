"""A stand-in pose model for testing jobs and commands without a network: a project with a
"pose" model record whose checkpoint loading is patched to a predictor that places three nodes
with fixed scores — the snout exact (0.9), an ear exact (0.3), the tail 30 px off (0.02)."""

from __future__ import annotations

import numpy as np
import pytest

from core.domain import Instance, ModelRecord, Skeleton
from core.ml.jobs import predict_job
from core.workflows.videos import add_videos

TRUTH = np.array([[10, 10, 2], [20, 10, 2], [30, 10, 2]], np.float32)
SCORES = np.array([0.9, 0.3, 0.02], np.float32)


class FixedPosePredictor:
    def predict(self, frames):
        keypoints = TRUTH.copy()
        keypoints[2, 0] += 30.0
        return [[Instance(0, 0, keypoints=keypoints, keypoint_scores=SCORES, source="predicted", score=float(SCORES.mean()))]
                for _ in frames]  # fmt: skip


@pytest.fixture
def pose_project(project, tiny_video, monkeypatch):
    """(project, video, model): labels on frames 0, 5, 10, 15 and a pose model whose node
    threshold validation chose as 0.05."""
    (video,) = add_videos(project, [tiny_video])
    skeleton = project.skeletons.add(Skeleton.from_names("mouse", ["snout", "ear", "tail"], [("snout", "ear")]))
    for frame in (0, 5, 10, 15):
        project.instances.add(Instance(video.id, frame, skeleton_id=skeleton.id, keypoints=TRUTH))
    model = project.models.add(ModelRecord("pose 1", "pose", "models/pose-001", {"node_threshold": 0.05},
                                           {"val_node_threshold": 0.05}))  # fmt: skip
    monkeypatch.setattr(predict_job, "load_checkpoint", lambda path, task: {"task": "pose"})
    monkeypatch.setattr(predict_job, "load_predictor", lambda payload, device: FixedPosePredictor())
    return project, video, model
