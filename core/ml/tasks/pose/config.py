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

from core.ml.tasks.augment_names import checked_augment_options
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
    erase: float = 0.0  # probability of blanking a random patch (2-10 % of the sample)


@dataclass
class PoseConfig:
    """`mode` is "single" (one animal, whole frame) or "topdown" (centroids, then crops);
    "auto" picks top-down when a labelled frame holds more than one instance, or when the one
    animal fills under a quarter of the frame (then at most one instance is predicted). Sizes are in
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
    # The deepest backbone level the node decoder reads (c3, c4 or c5). c4 (stride 16): on the
    # fly clip (100 training frames of two resting flies, tested on walking ones) PCK@10 0.51
    # against 0.41 with c5 and 0.40 with c3 in 5 CPU-minutes: the stride-32 features' wide
    # context memorises the few labelled poses, stride 8 alone sees too little of the animal.
    decoder_top: str = "c4"
    freeze_early: bool = True  # keep the backbone's stride-2/4 layers at their ImageNet weights
    backbone_lr: float = 1.0  # the backbone's learning rate as a share of the decoder's
    sigma: float = 2.5  # Gaussian target spread, model-input pixels
    centroid_sigma: float = 4.0
    # The node threshold when validation cannot choose one (no labelled validation node); the
    # predictor keeps every node, and the threshold only marks weak ones in review/export/scores:
    node_threshold: float = 0.2
    # On the fly clip, a walking fly unlike the resting training ones peaked at 0.12-0.2 and was
    # missed at 0.2 (4-6 % of the animals); at 0.1 every fly was found, and `max_instances`
    # (the most animals labelled on one frame, unless given) keeps weak spurious peaks out.
    centroid_threshold: float = 0.1
    max_instances: int | None = None
    min_separation: float = 0.25  # two animals' anchors closer than this x the animal size are one animal
    anchor_node: int | None = None  # top-down: the node crops centre on (None: picked, -1: the nodes' box centre)
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
        config = cls(**options, augment=AugmentOptions(**checked_augment_options(augment, AugmentOptions)))
        if config.mode not in ("auto", "single", "topdown"):
            raise ValueError(f"pose mode is 'auto', 'single' or 'topdown', not {config.mode!r}")
        if config.loss not in ("focal", "mse"):
            raise ValueError(f"pose loss is 'focal' or 'mse', not {config.loss!r}")
        if config.decoder_top not in ("c3", "c4", "c5"):
            raise ValueError(f"decoder_top is 'c3', 'c4' or 'c5', not {config.decoder_top!r}")
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


def anchor_of(keypoints: np.ndarray, node: int | None = None) -> np.ndarray:
    """Where an instance's crop is centred (and what the centroid model finds): its anchor
    node when that is labelled, else the middle of its labelled nodes' extent. (2,) x, y; NaN
    when no node is labelled."""
    if node is not None and node >= 0 and keypoints[node, 2] > 0:
        return keypoints[node, :2].astype(np.float32)
    labelled = keypoints[keypoints[:, 2] > 0, :2]
    if len(labelled) == 0:
        return np.array([np.nan, np.nan], np.float32)
    return ((labelled.min(0) + labelled.max(0)) / 2).astype(np.float32)


def choose_anchor_node(instances: list[np.ndarray]) -> int:
    """The node an animal's crop is centred on, as a SLEAP user picks the anchor part (the
    thorax of a fly): among the nodes labelled on at least 90 % of instances, the one that sits
    closest to the middle of the animal (median distance to its nodes' box centre, in units of
    the animal's extent). A body-fixed point is easier for the centroid model to find than the
    box centre, which moves with every leg. -1 (the box centre) when no node is labelled often
    enough."""
    if not instances:
        return -1
    stacked = np.stack(instances)  # (n, n_nodes, 3)
    labelled = stacked[..., 2] > 0
    often = labelled.mean(0) >= 0.9
    if not often.any():
        return -1
    centres = np.stack([anchor_of(k) for k in stacked])
    extents = np.array([max(float(np.ptp(k[k[:, 2] > 0, :2], axis=0).max()), 1.0) for k in stacked])
    distance = np.linalg.norm(stacked[..., :2] - centres[:, None], axis=-1) / extents[:, None]
    median = np.full(labelled.shape[1], np.inf)
    for node in np.flatnonzero(often):
        median[node] = float(np.median(distance[labelled[:, node], node]))
    return int(np.argmin(median))


# Input pixels per training sample that a CPU step affords: a step of 8 samples of this size
# costs about 0.3 s on one 2020s core (EfficientNet-Lite0 + decoder, early layers frozen), so a
# 15-minute run does well over a thousand steps. On a GPU the resolution rule alone decides.
CPU_PIXELS_PER_SAMPLE = 160 * 160
GPU_PIXELS_PER_SAMPLE = 1024 * 1024


def _accelerated() -> bool:
    from core.ml.device import choose_device  # torch is imported lazily: config stays plain

    return choose_device("auto").type != "cpu"


def fit_scaling(config: PoseConfig, instances: list[np.ndarray], frame_size: tuple[int, int],
                accelerated: bool | None = None) -> PoseConfig:  # fmt: skip
    """Fill in the mode, the anchor node and every scale left as None, from the labelled
    instances (a list of (n_instances, n_nodes, 3) arrays, one per frame), the largest frame
    (width, height) and whether training runs on a GPU (`accelerated`; None: this machine's).

    - Animal size: the median extent of the labelled nodes (the larger side), in frame pixels.
    - Top-down crop: scaled so the median animal spans about 72 px (plenty for a stride-2
      heatmap with sub-pixel refinement; the cost of a step grows with the square of the side);
      its side is twice the largest distance from an anchor to any of its nodes over all labels,
      plus 10 % and the translation jitter, rounded up to 32.
    - Centroid model: the frame scaled so the median animal spans about 28 px (a blob that is
      easy to find at stride 2; measured on the fly clip, a 448 px centroid frame was 3/4 of a
      training step's cost, a 256 px one a third), at most 1.
    - Single mode: the animal spans about 128 px and the frame at most 640 px on its long side,
      and on a CPU the frame holds at most `CPU_PIXELS_PER_SAMPLE` pixels, so that a 15-minute
      run does hundreds of steps instead of dozens (a 640x480 frame at full size cost 12 s a
      step on one core).
    """
    flat = [k for frame in instances for k in frame if (k[:, 2] > 0).any()]
    if not flat:
        raise TrainingDataError("no instance has a labelled keypoint")
    width, height = frame_size
    one_animal = max(len(frame) for frame in instances) <= 1
    anchor = config.anchor_node if config.anchor_node is not None else choose_anchor_node(flat)
    extents, radii = [], []
    for keypoints in flat:
        labelled = keypoints[keypoints[:, 2] > 0, :2]
        extents.append(float((labelled.max(0) - labelled.min(0)).max()))
        radii.append(float(np.linalg.norm(labelled - anchor_of(keypoints, anchor), axis=1).max()))
    animal = max(float(np.median(extents)), 8.0)
    config.animal_px = animal
    if config.mode == "auto":
        # One animal that fills a small part of the frame is found and cropped too: a
        # centroid pass on a small frame plus a full-resolution crop costs a fraction of the
        # whole frame at a resolution that still resolves its nodes (SLEAP users do this by hand
        # with a single-instance model on a cropped video).
        window = 2 * max(radii) * 1.1
        small = window * window <= 0.25 * width * height
        config.mode = "topdown" if not one_animal or small else "single"
    if config.mode == "topdown" and config.anchor_node is None:
        config.anchor_node = anchor
    if config.mode == "topdown" and config.max_instances is None:
        config.max_instances = max(len(frame) for frame in instances)
    jitter = config.augment.translate if config.augment.translate is not None else 4.0
    if accelerated is None:
        accelerated = _accelerated()
    pixels = GPU_PIXELS_PER_SAMPLE if accelerated else CPU_PIXELS_PER_SAMPLE
    if config.mode == "topdown":
        if config.crop_scale is None:
            config.crop_scale = float(min(1.0, 72.0 / animal, 256.0 / (2 * max(radii) * 1.1 + 2 * jitter)))
        if config.crop_size is None:
            config.crop_size = min(_round_up(2 * max(radii) * 1.1 * config.crop_scale + 2 * jitter), 256)
        if config.centroid_scale is None:
            config.centroid_scale = float(min(1.0, 28.0 / animal, 640.0 / max(width, height)))
    elif config.input_scale is None:
        budget = math.sqrt(pixels / (width * height))
        config.input_scale = float(min(1.0, 128.0 / animal, 640.0 / max(width, height), budget))
    return config
