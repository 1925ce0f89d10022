"""The pose task's training data: a project's user keypoint labels of one skeleton, as arrays.

Labels are read once from the store into plain `PoseFrame`s (frame key, keypoints of every
instance, their boxes), split into training and validation frames with `split_frames` (stable,
stretches of video kept apart), and the frames' pixels are decoded once through `FrameStore`.
Anything that makes training impossible raises `TrainingDataError` with a message a user can act on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from core.domain import Instance, Skeleton
from core.ml.data.split import split_frames
from core.ml.tasks.errors import TrainingDataError
from core.project import Project

FrameKey = tuple[int, int]
MIN_FRAMES = 2


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """One labelled frame: `keypoints` (n_instances, n_nodes, 3) x, y, visibility in frame
    pixels; `areas` (n_instances,) each instance's box area (or keypoint extent area)."""

    key: FrameKey
    keypoints: np.ndarray
    areas: np.ndarray


@dataclass(frozen=True, eq=False)
class PoseLabels:
    skeleton: Skeleton
    train: list[PoseFrame]
    val: list[PoseFrame]
    class_id: int | None = None  # the class most of these instances carry (given to predictions)

    @property
    def frames(self) -> list[PoseFrame]:
        return self.train + self.val


def instance_area(instance: Instance) -> float:
    """The area OKS uses for an instance: its box when it has one, else its keypoints' extent."""
    if instance.box is not None and instance.box.area > 0:
        return float(instance.box.area)
    labelled = instance.keypoints[instance.keypoints[:, 2] > 0, :2]
    if len(labelled) == 0:
        return 1.0
    w, h = labelled.max(0) - labelled.min(0)
    return float(max(w * h, 1.0))


def choose_skeleton(project: Project, skeleton_id: int | None, counts: Counter) -> Skeleton:
    if skeleton_id is not None:
        return project.skeletons.get(skeleton_id)
    if not counts:
        raise TrainingDataError(
            "the project's labels have no keypoints: pose training needs instances labelled with a skeleton's "
            "keypoints (boxes or masks alone train the detect or segment task)"
        )
    return project.skeletons.get(counts.most_common(1)[0][0])


def load_pose_labels(
    project: Project, skeleton_id: int | None = None, val_fraction: float = 0.2, block: int = 100
) -> PoseLabels:
    """The user's keypoint labels of one skeleton (the most used one unless `skeleton_id`),
    split into training and validation frames."""
    keys = project.instances.labeled_frames(source="user")
    if not keys:
        raise TrainingDataError("the project has no labels yet: label keypoints on a few frames, then train")
    by_frame: dict[FrameKey, list[Instance]] = {}
    counts: Counter = Counter()
    for video_id, index in keys:
        for instance in project.instances.on_frame(video_id, index, source="user"):
            keypoints = instance.keypoints
            if keypoints is not None and instance.skeleton_id is not None and (keypoints[:, 2] > 0).any():
                counts[instance.skeleton_id] += 1
                by_frame.setdefault((video_id, index), []).append(instance)
    skeleton = choose_skeleton(project, skeleton_id, counts)
    n_nodes = len(skeleton.nodes)
    frames, classes = [], Counter()
    for key, instances in sorted(by_frame.items()):
        chosen = [i for i in instances if i.skeleton_id == skeleton.id and i.keypoints.shape[0] == n_nodes]
        classes.update(i.class_id for i in chosen if i.class_id is not None)
        if chosen:
            frames.append(PoseFrame(key, np.stack([i.keypoints for i in chosen]).astype(np.float32),
                                    np.array([instance_area(i) for i in chosen], np.float32)))  # fmt: skip
    if len(frames) < MIN_FRAMES:
        raise TrainingDataError(
            f"pose training needs keypoints on at least {MIN_FRAMES} frames (skeleton {skeleton.name!r} has "
            f"{len(frames)}): label a few more frames, then train"
        )
    fingerprints = {v.id: v.fingerprint for v in project.videos.all()}
    train_keys, val_keys = split_frames([f.key for f in frames], fingerprints, val_fraction, block)
    by_key = {f.key: f for f in frames}
    class_id = classes.most_common(1)[0][0] if classes else None
    return PoseLabels(skeleton, [by_key[k] for k in train_keys], [by_key[k] for k in val_keys], class_id)
