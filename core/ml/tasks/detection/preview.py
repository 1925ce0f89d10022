"""Augmented training samples of the detect / segment task for the Train dialog, made by the
task's own augmentation (`augment.Augment`) from the project's labels."""

from __future__ import annotations

from typing import Any

from core.ml.data.frame_store import FrameStore
from core.ml.tasks.detection.augment import Augment
from core.ml.tasks.detection.config import DetectionConfig
from core.ml.tasks.detection.labels import read_targets
from core.ml.tasks.sample_images import Sample, spread, to_rgb
from core.project import Project


def box_samples(project: Project, task: str, n: int, options: dict[str, Any]) -> list[Sample]:
    config = DetectionConfig.from_options(options, task)
    targets, classes = read_targets(project, task)
    chosen = [targets[i] for i in spread(len(targets), n)]
    frames = FrameStore(project)
    frames.load(t.key for t in chosen)
    augment = Augment(config.augment, with_masks=task == "segment")
    samples: list[Sample] = []
    for target in chosen:
        image, out = augment(frames[target.key], target)
        masks = out.get("masks")
        instances = [
            {"label": classes.names[int(label) - 1], "box": [float(v) for v in box],
             **({"mask": masks[i].numpy().astype(bool)} if masks is not None else {})}
            for i, (box, label) in enumerate(zip(out["boxes"].tolist(), out["labels"].tolist()))
        ]  # fmt: skip
        samples.append((to_rgb(image), instances))
    return samples
