"""The detect / segment task's options, with their defaults, as plain dataclasses (the same
style as `PoseConfig` and `BehaviourConfig`): `DetectionConfig.from_options(options)` merges the
user's `key=value` options over the defaults and refuses unknown ones, naming the known ones.

Augmentation (`augment`, or `augmentation`, a dict of `DetectionAugment` fields, or false for
none): hflip, vflip (probabilities), rotation (degrees, +-; `rotate`, the name this task used
before, is read as rotation), scale ([low, high] zoom), translate (fraction of the frame),
brightness, contrast, saturation, hue (ColorJitter), gamma (+- fraction), blur (probability of a
Gaussian blur), noise (sigma of Gaussian noise, image in [0, 1]).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from core.ml.backbones import OFFLINE_BACKBONE
from core.ml.tasks.augment_names import checked_augment_options

@dataclass
class DetectionAugment:
    hflip: float = 0.5
    vflip: float = 0.5
    rotation: float = 15.0
    scale: tuple[float, float] = (0.8, 1.2)
    translate: float = 0.1
    brightness: float = 0.25
    contrast: float = 0.25
    saturation: float = 0.2
    hue: float = 0.0
    gamma: float = 0.2
    blur: float = 0.2
    noise: float = 0.02

    @classmethod
    def off(cls) -> DetectionAugment:
        return cls(hflip=0.0, vflip=0.0, rotation=0.0, scale=(1.0, 1.0), translate=0.0, brightness=0.0, contrast=0.0,
                   saturation=0.0, hue=0.0, gamma=0.0, blur=0.0, noise=0.0)  # fmt: skip

    @classmethod
    def from_options(cls, options: DetectionAugment | dict[str, Any] | bool | None) -> DetectionAugment:
        """Defaults updated by `options` (False: no augmentation at all; True or None: the defaults)."""
        if isinstance(options, DetectionAugment):
            return options
        if options is False:
            return cls.off()
        if options is True or options is None:
            return cls()
        if not isinstance(options, dict):
            raise ValueError(f"augment is a dict of augmentation options or false, not {options!r}")
        augment = cls(**checked_augment_options(options, cls))
        augment.scale = tuple(float(v) for v in augment.scale)  # type: ignore[assignment]
        if len(augment.scale) != 2:
            raise ValueError(f"augmentation scale is [low, high], not {list(augment.scale)}")
        return augment


@dataclass
class DetectionConfig:
    backbone: str = OFFLINE_BACKBONE  # or resnet18, resnet50, mobilenet_v3_large (downloaded)
    pretrained: bool = True  # False: random initialisation
    fallback: bool = True  # a backbone that cannot be downloaded falls back to the offline one, with a note
    scale: float | str = "auto"  # or model pixels per frame pixel
    target_size: float = 64.0  # "auto" scales the median animal to about this many pixels
    batch_size: int = 2
    val_fraction: float = 0.2
    min_epoch_frames: int = 64  # small projects repeat their frames so an epoch is worth evaluating
    augment: DetectionAugment = field(default_factory=DetectionAugment)
    fpn_channels: int = 128
    representation: int = 512  # width of the box head
    mask_channels: int = 128
    score_threshold: float = 0.5  # the predictor's default
    cache_dir: str | None = None  # where decoded frames are kept as PNG between jobs (None: memory only)
    seed: int = 0

    @classmethod
    def from_options(cls, options: dict[str, Any] | None, task: str = "detect") -> DetectionConfig:
        """Options over defaults; an option given as None keeps its default (CLI flags left out)."""
        options = {name: value for name, value in (options or {}).items() if value is not None}
        augment = options.pop("augment", options.pop("augmentation", None))
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(f"unknown option(s) for {task}: {unknown}; known: {sorted(known)}")
        config = cls(**options, augment=DetectionAugment.from_options(augment))
        if config.scale != "auto" and not isinstance(config.scale, (int, float)):
            raise ValueError(f"scale is 'auto' or a number, not {config.scale!r}")
        return config

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectionConfig:
        return cls.from_options(data)
