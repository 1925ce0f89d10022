"""The pose task's settings: the user's options merged over defaults, and the input scaling
picked from the animals' size, as a SLEAP or DeepLabCut user would otherwise set by hand.

Everything here is plain values, so it is stored as-is in a checkpoint's `adapter` state and
rebuilds the same model and pre-processing at inference.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from core.ml.tasks.errors import TrainingDataError


@dataclass
class AugmentOptions:
    """Random augmentation of training samples. Rotation in degrees (+-), scale as a +-
    fraction, translation in input pixels (+-), flip probabilities, photometric strengths."""

    rotation: float | None = None  # None: 180 for top-down crops, 15 for whole frames
    scale: float = 0.1
    translate: float | None = None  # None: 4 px for crops (centroid noise), 16 px for whole frames
    hflip: float | None = None  # None: 0.5 when the skeleton declares symmetric pairs, else 0
    vflip: float = 0.0
    brightness: float = 0.2
    contrast: float = 0.2
    gamma: float = 0.2
    blur: float = 0.2  # probability of a Gaussian blur
    noise: float = 0.02  # standard deviation of Gaussian noise on [0, 1] pixels


@dataclass
class PoseConfig:
    """`mode` is "single" (one animal, whole frame) or "topdown" (centroids, then crops);
    "auto" picks top-down when a labelled frame holds more than one instance. Sizes are in
    model-input pixels; scales map frame pixels to model input."""

    backbone: str = "efficientnet_lite0"
    pretrained: bool = True
    mode: str = "auto"
    batch_size: int = 8
    val_fraction: float = 0.2
    skeleton_id: int | None = None
    loss: str = "mse"  # "mse" (SLEAP's heatmap MSE) or "focal" (quality focal loss on sigmoid maps)
    output_stride: int = 2  # heatmap stride (2 or 4); sub-pixel refinement recovers the rest
    decoder_channels: int = 32
    freeze_early: bool = True  # keep the backbone's stride-2/4 layers at their ImageNet weights
    sigma: float = 2.5  # Gaussian target spread, model-input pixels
    centroid_sigma: float = 4.0
    node_threshold: float = 0.2  # a node below this peak is "not found" (visibility 0)
    centroid_threshold: float = 0.2
    max_instances: int | None = None
    min_separation: float = 0.25  # two animals' anchors closer than this x the animal size are one animal
    samples_per_epoch: int = 256  # an epoch repeats the training set up to at least this many samples
    # Picked from the labels when None (see `fit_scaling`):
    input_scale: float | None = None  # single mode: frame -> model input
    crop_size: int | None = None  # top-down: crop side, in model-input pixels
    crop_scale: float | None = None  # top-down: frame -> crop
    centroid_scale: float | None = None  # top-down: frame -> centroid model input
    animal_px: float | None = None  # median animal extent in frame pixels (sets min_separation's unit)
    augment: AugmentOptions = field(default_factory=AugmentOptions)

    @classmethod
    def from_options(cls, options: dict[str, Any] | None) -> PoseConfig:
        """Options over defaults; an option given as None keeps its default (CLI flags left out)."""
        options = {name: value for name, value in (options or {}).items() if value is not None}
        augment = options.pop("augment", options.pop("augmentation", None)) or {}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(f"unknown pose option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        if isinstance(augment, AugmentOptions):
            augment = asdict(augment)
        augment_known = {f.name for f in fields(AugmentOptions)}
        if set(augment) - augment_known:
            raise ValueError(f"unknown augmentation option(s) {', '.join(sorted(set(augment) - augment_known))}")
        config = cls(**options, augment=AugmentOptions(**augment))
        if config.mode not in ("auto", "single", "topdown"):
            raise ValueError(f"pose mode is 'auto', 'single' or 'topdown', not {config.mode!r}")
        if config.loss not in ("focal", "mse"):
            raise ValueError(f"pose loss is 'focal' or 'mse', not {config.loss!r}")
        if config.output_stride not in (2, 4):
            raise ValueError(f"output_stride is 2 or 4, not {config.output_stride}")
        return config

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PoseConfig:
        data = dict(data)
        augment = AugmentOptions(**data.pop("augment"))
        return cls(**data, augment=augment)


def _round_up(value: float, multiple: int = 32) -> int:
    return int(math.ceil(value / multiple) * multiple)


def anchor_of(keypoints: np.ndarray) -> np.ndarray:
    """Where an instance's crop is centred (and what the centroid model finds): the middle of
    its labelled nodes' extent. (2,) x, y; NaN when no node is labelled."""
    labelled = keypoints[keypoints[:, 2] > 0, :2]
    if len(labelled) == 0:
        return np.array([np.nan, np.nan], np.float32)
    return ((labelled.min(0) + labelled.max(0)) / 2).astype(np.float32)


def fit_scaling(config: PoseConfig, instances: list[np.ndarray], frame_size: tuple[int, int]) -> PoseConfig:
    """Fill in the mode and every scale left as None, from the labelled instances (a list of
    (n_instances, n_nodes, 3) arrays, one per frame) and the largest frame (width, height).

    - Animal size: the median extent of the labelled nodes (the larger side), in frame pixels.
    - Top-down crop: scaled so the median animal spans about 72 px (plenty for a stride-2
      heatmap with sub-pixel refinement, and the cost of a step grows with the square of the
      side: measured on the demo, 128 px crops learn in a few hundred steps where full-size
      224 px crops barely start); its side is twice the largest distance from an anchor to any
      of its nodes over all labels, plus 10 % and the translation jitter, rounded up to 32.
    - Centroid model: the frame scaled so the median animal spans about 40 px (a blob that is easy
      to find at stride 2), at most 1; single mode: the animal spans about 128 px, the frame at
      most 640 px on its long side, at most 1.
    """
    flat = [k for frame in instances for k in frame if (k[:, 2] > 0).any()]
    if not flat:
        raise TrainingDataError("no instance has a labelled keypoint")
    extents, radii = [], []
    for keypoints in flat:
        labelled = keypoints[keypoints[:, 2] > 0, :2]
        extents.append(float((labelled.max(0) - labelled.min(0)).max()))
        radii.append(float(np.linalg.norm(labelled - anchor_of(keypoints), axis=1).max()))
    animal = max(float(np.median(extents)), 8.0)
    config.animal_px = animal
    if config.mode == "auto":
        config.mode = "topdown" if max(len(frame) for frame in instances) > 1 else "single"
    width, height = frame_size
    jitter = config.augment.translate if config.augment.translate is not None else 4.0
    if config.mode == "topdown":
        if config.crop_scale is None:
            config.crop_scale = float(min(1.0, 72.0 / animal, 256.0 / (2 * max(radii) * 1.1 + 2 * jitter)))
        if config.crop_size is None:
            config.crop_size = min(_round_up(2 * max(radii) * 1.1 * config.crop_scale + 2 * jitter), 256)
        if config.centroid_scale is None:
            config.centroid_scale = float(min(1.0, 40.0 / animal))
    elif config.input_scale is None:
        config.input_scale = float(min(1.0, 128.0 / animal, 640.0 / max(width, height)))
    return config
