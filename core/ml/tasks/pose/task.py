"""The pose task as the registry knows it: keypoint labels in, instances with scored nodes out,
scored with PCK, OKS mAP and pixel errors (`core.ml.metrics.keypoints`)."""

from __future__ import annotations

from typing import Any

from core.ml.tasks.task import FrameTask, finite


class PoseTask(FrameTask):
    name = "pose"
    display_name = "Pose (keypoints)"
    # What a user can judge first: animals found and nodes placed within 10 px of all labelled
    # ones; a median over the nodes found reads as excellent for a model that places 2 of 13.
    key_metrics = ("val_instances_found", "val_pck_10px", "val_oks_map")
    has_preview = True
    exportable = True
    recipe = {"config": dict, "skeleton": dict}
    recipe_nested = {"config": {"backbone": str}, "skeleton": {"nodes": list}}

    def export_model(self, project, model, out, format=None) -> list:
        from core.ml.export_onnx import export_model

        return export_model(project, model.id, out, format)

    def options(self, options=None):
        from core.ml.tasks.pose.config import PoseConfig

        return PoseConfig.from_options(options)

    def availability(self, project) -> str | None:
        if project.instances.count(source="user", kind="keypoints"):
            return None
        return "pose needs keypoint labels: label a skeleton's nodes on a few frames"

    def build_adapter(self, project, options=None):
        from core.ml.tasks.pose import build_adapter

        return build_adapter(project, options)

    def load_predictor(self, payload: dict[str, Any], device):
        from core.ml.tasks.pose import load_predictor

        return load_predictor(payload, device)

    def augmented_samples(self, project, n: int, options: dict[str, Any]):
        from core.ml.tasks.pose.preview import pose_samples

        return pose_samples(project, n, options)

    def score(self, truth, found):
        import numpy as np

        from core.ml.metrics.keypoints import FrameKeypoints, keypoint_metrics

        frames = []
        for t, f in zip(truth, found):
            t = [i for i in t if i.keypoints is not None]
            n_nodes = t[0].keypoints.shape[0] if t else (f[0].keypoints.shape[0] if f else 0)
            frames.append(
                FrameKeypoints(
                    np.stack([i.keypoints for i in t]) if t else np.zeros((0, n_nodes, 3)),
                    np.stack([i.keypoints for i in f]) if f else np.zeros((0, n_nodes, 3)),
                    np.array([i.score or 0.0 for i in f]),
                )
            )
        return finite(keypoint_metrics(frames))


POSE = PoseTask()
