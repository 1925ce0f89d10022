"""Predicting a project's videos with an exported ONNX pose model, without torch (`ethoframe
predict PROJECT --model model.onnx`): frames decoded, poses from `OnnxPosePredictor`, stored as
predictions whose origin names the file (`onnx:model.onnx`), one transaction per batch.
Predicting a frame again replaces that file's predictions there and nothing else.

The model's skeleton (from its card) is the project's skeleton of that name when its nodes are
the same, else it is added; a project skeleton of that name with other nodes is refused before
anything is written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.domain import Box, Instance, Skeleton
from core.ml.onnx_runtime import OnnxModelError, OnnxPosePredictor
from core.project import Project
from core.video import open_video


@dataclass(frozen=True)
class OnnxPredictSummary:
    frames: int
    instances: int
    seconds: float
    origin: str

    def describe(self) -> str:
        rate = self.frames / self.seconds if self.seconds else 0.0
        return f"{self.instances:,} instances on {self.frames:,} frames ({rate:.1f} frames/s, ONNX Runtime), stored as {self.origin}"


def _skeleton_id(project: Project, card: dict) -> int:
    wanted = card["skeleton"]
    nodes = tuple(wanted["nodes"])
    found = project.skeletons.find(wanted["name"])
    if found is not None:
        if found.nodes != nodes:
            raise OnnxModelError(f"the project's skeleton {wanted['name']!r} has nodes {', '.join(found.nodes)}; "
                                 f"the model predicts {', '.join(nodes)}: nothing was predicted")  # fmt: skip
        return found.id
    edges = [tuple(e) for e in wanted.get("edges", [])]
    symmetries = [tuple(p) for p in wanted.get("symmetries", [])]
    return project.skeletons.add(Skeleton(wanted["name"], nodes, tuple(edges), tuple(symmetries))).id


def predict_with_onnx(project: Project, model_path: str | Path, video_ids: list[int] | None = None,
                      frames: list[int] | None = None, batch_size: int = 8, progress=None) -> OnnxPredictSummary:  # fmt: skip
    """Predict every frame (or `frames`) of the project's videos (or `video_ids`) with the model."""
    model_path = Path(model_path)
    predictor = OnnxPosePredictor(model_path)  # refuses a file Ethoframe did not export
    videos = [v for v in project.videos.all() if video_ids is None or v.id in video_ids]
    if not videos:
        raise ValueError("the project has no videos to predict")
    skeleton_id = _skeleton_id(project, predictor.card)
    origin = f"onnx:{model_path.name}"
    began, done, made = time.monotonic(), 0, 0
    for video in videos:
        wanted = sorted(set(range(video.frame_count) if frames is None else frames) & set(range(video.frame_count)))
        with open_video(video.path, cache_mb=64) as reader:
            for start in range(0, len(wanted), batch_size):
                indices = wanted[start : start + batch_size]
                images = [np.array(reader.read(i, cache=False)) for i in indices]
                instances = []
                for frame, poses in zip(indices, predictor.predict(images)):
                    for keypoints, node_scores, score in zip(poses.keypoints, poses.node_scores, poses.scores):
                        found = keypoints[:, :2]
                        instances.append(Instance(
                            video.id, frame, skeleton_id=skeleton_id, box=Box(*found.min(0), *found.max(0)), keypoints=keypoints,
                            keypoint_scores=node_scores, source="predicted", score=float(score), origin=origin,
                        ))  # fmt: skip
                project.instances.replace_origin_predictions(video.id, origin, indices, instances)
                done, made = done + len(indices), made + len(instances)
                if progress:
                    progress(done, len(wanted))
    return OnnxPredictSummary(done, made, time.monotonic() - began, origin)
