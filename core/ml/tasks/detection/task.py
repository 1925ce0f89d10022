"""The detect and segment tasks as the registry knows them: boxes (detect) or masks (segment)
in, instances out, scored with COCO box (and mask) mAP (`core.ml.metrics.boxes`)."""

from __future__ import annotations

import numbers
from typing import Any

from core.ml.tasks.task import FrameTask, finite

RECIPE = {"backbone": str, "fpn_channels": numbers.Integral, "anchor_sizes": list, "aspect_ratios": list,
          "representation": numbers.Integral, "min_size": numbers.Integral, "max_size": numbers.Integral,
          "classes": list, "detections_per_img": numbers.Integral, "task": str}  # fmt: skip


class DetectionTask(FrameTask):
    name = "detect"
    display_name = "Detect (boxes)"
    key_metrics = ("val_box_map50", "val_box_map")
    has_preview = True
    masks = False
    recipe = RECIPE

    def options(self, options=None):
        from core.ml.tasks.detection.config import DetectionConfig

        return DetectionConfig.from_options(options, self.name)

    def availability(self, project) -> str | None:
        if project.instances.count(source="user", kind="box") or project.instances.count(source="user", kind="mask"):
            return None
        return "detect needs boxes (or masks): draw boxes around the animals on a few frames"

    def build_adapter(self, project, options=None):
        from core.ml.tasks.detection import build_adapter

        return build_adapter(project, options, task=self.name)

    def load_predictor(self, payload: dict[str, Any], device):
        from core.ml.checkpoint import CheckpointError
        from core.ml.tasks.detection.predictor import load_predictor

        if payload.get("task") != self.name:
            raise CheckpointError(f"this is a {payload.get('task')} model, not a {self.name} model")
        return load_predictor(payload, device)

    def augmented_samples(self, project, n: int, options: dict[str, Any]):
        from core.ml.tasks.detection.preview import box_samples

        return box_samples(project, self.name, n, options)

    def score(self, truth, found):
        from core.ml.metrics.boxes import box_map, mask_map

        def detections(images, scores: bool, masks: bool) -> list[list[dict]]:
            return [
                [{"box": i.box.as_tuple(), "class_id": i.class_id, **({"score": i.score or 0.0} if scores else {}),
                  **({"mask": i.mask} if masks else {})} for i in image if i.box is not None and (not masks or i.mask is not None)]
                for image in images
            ]  # fmt: skip

        boxes = box_map(detections(truth, False, False), detections(found, True, False))
        metrics = {"box_map": boxes["map"], "box_map50": boxes["map50"], "box_map75": boxes["map75"]}
        if self.masks:
            masks = mask_map(detections(truth, False, True), detections(found, True, True))
            metrics.update({"mask_map": masks["map"], "mask_map50": masks["map50"], "mask_map75": masks["map75"]})
        return finite(metrics)


class SegmentTask(DetectionTask):
    name = "segment"
    display_name = "Segment (masks)"
    key_metrics = ("val_mask_map50", "val_box_map50")
    masks = True
    recipe = {**RECIPE, "mask_channels": numbers.Integral}

    def availability(self, project) -> str | None:
        if project.instances.count(source="user", kind="mask"):
            return None
        return "segment needs masks or polygons: paint or outline the animals on a few frames"


DETECT = DetectionTask()
SEGMENT = SegmentTask()
