"""What a detection or segmentation model learns from: the project's labelled boxes and masks.

Reads the user's instances once per job and turns each labelled frame into a `FrameTarget`
(boxes in pixels, contiguous class indices, masks as RLE), with the class table that maps
model outputs back to project class ids. Refuses, with `TrainingDataError`, labels that
cannot train the task: none, too few frames, or only labels of another task (keypoints).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.domain import Instance, Rle
from core.geometry.masks import polygons_to_mask
from core.ml.tasks.errors import TrainingDataError
from core.project import Project

FrameKey = tuple[int, int]  # (video id, frame index)
ANIMAL = "animal"  # the class of instances the user gave no class


@dataclass(frozen=True)
class ClassTable:
    """Model label k (1..K; 0 is background) is project class `ids[k - 1]` called `names[k - 1]`.
    An id of None stands for instances without a class."""

    ids: tuple[int | None, ...]
    names: tuple[str, ...]

    @property
    def num_classes(self) -> int:
        return len(self.ids) + 1  # with the background

    def label_of(self, class_id: int | None) -> int:
        return self.ids.index(class_id) + 1

    def class_id_of(self, label: int) -> int | None:
        return self.ids[label - 1]

    def to_state(self) -> list[dict]:
        return [{"id": i, "name": n} for i, n in zip(self.ids, self.names)]

    @classmethod
    def from_state(cls, classes: list[dict]) -> ClassTable:
        return cls(tuple(c["id"] for c in classes), tuple(c["name"] for c in classes))


@dataclass(frozen=True)
class FrameTarget:
    """The labelled animals of one frame: `boxes` (n, 4) float32 x1, y1, x2, y2 in pixels,
    `labels` (n,) int64 model labels, `masks` one RLE per instance when every instance has one
    (always for the segment task), else empty. `tight`: the masks' bounding boxes are the
    boxes, so augmentation can take exact boxes from the moved masks (a rotated box's corners
    would give a looser box than the rotated animal)."""

    key: FrameKey
    boxes: np.ndarray
    labels: np.ndarray
    masks: tuple[Rle, ...] = ()
    tight: bool = False

    def mask_array(self) -> np.ndarray:
        """(n, H, W) uint8."""
        return np.stack([m.to_array() for m in self.masks]).astype(np.uint8)


def instance_mask(instance: Instance, height: int, width: int) -> Rle | None:
    """The instance's mask as RLE: its raster mask, else its polygons rasterised, else None."""
    if instance.mask is not None:
        return instance.mask
    if instance.polygons:
        return Rle.from_array(polygons_to_mask(list(instance.polygons), height, width))
    return None


def instance_box(instance: Instance, mask: Rle | None) -> tuple[float, float, float, float] | None:
    """The labelled box, else the tight box of the mask (a mask alone says where the animal is)."""
    if instance.box is not None:
        box = instance.box.normalized()
        return box.as_tuple() if box.width >= 1 and box.height >= 1 else None
    if mask is not None and (bbox := mask.bounding_box()) is not None:
        return bbox.as_tuple()
    return None


def read_targets(project: Project, task: str) -> tuple[list[FrameTarget], ClassTable]:
    """Every user-labelled frame usable for `task` ("detect" or "segment"), and the classes.

    For "segment" a frame is used only when each of its boxed or masked animals has a mask
    (a frame with an animal boxed but not masked would teach the model that its pixels are
    background)."""
    if task not in ("detect", "segment"):
        raise ValueError(f"the detection module trains 'detect' or 'segment', not {task!r}")
    sizes = {video.id: (video.height, video.width) for video in project.videos.all()}
    raw: list[tuple[FrameKey, list[tuple[Instance, tuple, Rle | None]]]] = []
    other_kind = skipped_unmasked = 0
    for key in project.instances.labeled_frames(source="user"):
        height, width = sizes[key[0]]
        animals = []
        for instance in project.instances.on_frame(*key, source="user"):
            mask = instance_mask(instance, height, width)
            box = instance_box(instance, mask)
            if box is None:
                other_kind += instance.keypoints is not None
                continue
            animals.append((instance, box, mask))
        if not animals:
            continue
        if task == "segment" and any(mask is None or mask.area == 0 for _, _, mask in animals):
            skipped_unmasked += 1
            continue
        raw.append((key, animals))

    if not raw:
        what = "boxes or masks" if task == "detect" else "masks (painted or polygons) on every labelled animal of a frame"
        if other_kind:
            raise TrainingDataError(
                f"the project's labels are keypoints, not {what}: train a pose model, or label some frames for {task}"
            )
        if skipped_unmasked:
            raise TrainingDataError(
                f"no frame has {what}: {skipped_unmasked} frame(s) have boxes only; paint masks, or train 'detect'"
            )
        raise TrainingDataError(f"there are no labels to train {task} on: label {what} on a few frames first")
    if len(raw) < 2:
        raise TrainingDataError(
            f"only 1 frame is labelled for {task}; label at least 2 (one is kept apart to validate), ideally 20 or more"
        )

    used = sorted({instance.class_id for _, animals in raw for instance, _, _ in animals}, key=lambda c: (c is None, c or 0))
    names = {c.id: c.name for c in project.label_classes.all()}
    classes = ClassTable(tuple(used), tuple(names.get(c, ANIMAL) if c is not None else ANIMAL for c in used))
    return [_target(key, animals, classes) for key, animals in raw], classes


def _target(key: FrameKey, animals: list[tuple[Instance, tuple, Rle | None]], classes: ClassTable) -> FrameTarget:
    boxes = np.array([box for _, box, _ in animals], dtype=np.float32).reshape(-1, 4)
    labels = np.array([classes.label_of(instance.class_id) for instance, _, _ in animals], dtype=np.int64)
    masks = tuple(mask for _, _, mask in animals)
    if any(mask is None or mask.area == 0 for mask in masks):
        return FrameTarget(key, boxes, labels)
    mask_boxes = np.array([mask.bounding_box().as_tuple() for mask in masks], dtype=np.float32)
    return FrameTarget(key, boxes, labels, masks, tight=bool(np.abs(mask_boxes - boxes).max() <= 2.0))
