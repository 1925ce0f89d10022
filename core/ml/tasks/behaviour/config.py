"""The behaviour task's options, with their defaults, as one plain dataclass.

Options (all optional, `--option KEY=VALUE` on the command line):

- inputs: `video` (per-frame CNN embeddings of the whole frame and of a crop around each
  subject), `pose` (trajectory features from tracked keypoints or boxes). `pose` is on by
  default; `video` is "auto": used only when the coded subjects mostly lack tracked positions
  (or behaviours are coded for the whole frame), because on the demo world 10% of coding is too
  little to learn from 700 video columns beside the pose ones (macro F1 0.54 pose alone, 0.37
  both, `bench/bench_behaviour_demo.py --video`); `video=true` combines them anyway;
- `backbone` (efficientnet_lite0), `frame_size` (long side in pixels the frame is shrunk to),
  `crop_size`, `crop_scale` (crop side over the subject's box side), `diff` ("motion": cheap
  motion-energy grids of frame differences, "cnn": also CNN embeddings of the difference image,
  "none"), `max_gap` (frames over which a subject's missing positions are interpolated);
- `multilabel` ("auto": independent behaviours when a subject's events of different behaviours
  overlap, else mutually exclusive; true; false), `negatives`: which frames no event covers
  count as "no behaviour" ("auto": "covered" when the coder tiles the timeline (most events
  start right where the subject's previous one ends: the ethogram is exhaustive, and frames
  outside the events were simply not coded), else "gaps"; "gaps": those between two coded events of a subject at most
  `none_gap_s` seconds apart, longer stretches being taken as not coded; "span": all between a
  subject's first and last event; "covered": none, only frames an event covers train),
  `point_width` (frames a point event spreads over when training);
- head: `window`, `hidden`, `dilations`, `dropout`, `batch_size`, `samples_per_epoch` (0: a
  quarter of the training frames, between 256 and 2048), `val_fraction`, `split_block`,
  `class_weight_power` (1: inverse frequency, 0: none);
- self-training (`pseudo_labels.py`): `pseudo_labels` (true/false), `pseudo_threshold`,
  `pseudo_weight`, `pseudo_after` and `pseudo_every` (validation passes);
- post-processing defaults stored with the model: `min_duration` (frames);
- `subjects`: which coded events train ("all": per-subject ones and those of the whole frame;
  "frame": only those coded for the whole frame, no subject: the `classify` task forces it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


# The backbones whose pooled stride-32 features are FEATURE_CHANNELS wide (the width the video
# feature layout assumes); both ship with the install, so none needs a download.
VIDEO_BACKBONES = ("efficientnet_lite0", "efficientnet_lite1")
FEATURE_CHANNELS = 320


@dataclass
class BehaviourConfig:
    video: str | bool = "auto"
    pose: bool = True
    backbone: str = "efficientnet_lite0"
    frame_size: int = 160
    crop_size: int = 80
    crop_scale: float = 1.3
    diff: str = "motion"
    max_gap: int = 15
    multilabel: str | bool = "auto"
    negatives: str = "auto"
    none_gap_s: float = 5.0
    point_width: int = 5
    window: int = 128
    hidden: int = 64
    dilations: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16])
    dropout: float = 0.5
    batch_size: int = 16
    samples_per_epoch: int = 0
    val_fraction: float = 0.2
    split_block: int = 30
    class_weight_power: float = 0.5
    pseudo_labels: bool = True
    pseudo_threshold: float = 0.9
    pseudo_weight: float = 0.5
    pseudo_after: int = 10
    pseudo_every: int = 5
    min_duration: int = 5
    subjects: str = "all"
    seed: int = 0

    @classmethod
    def from_options(cls, options: dict[str, Any] | None) -> BehaviourConfig:
        options = dict(options or {})
        names = {f.name for f in fields(cls)}
        ignored = {"backbone_fallback", "pretrained"}  # shared CLI options this task need not use
        unknown = set(options) - names - ignored
        if unknown:
            raise ValueError(f"unknown behaviour option(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(names))}")
        config = cls(**{k: v for k, v in options.items() if k in names})
        if isinstance(config.multilabel, str) and config.multilabel.lower() in ("true", "false"):
            config.multilabel = config.multilabel.lower() == "true"
        if isinstance(config.pseudo_labels, str):
            config.pseudo_labels = config.pseudo_labels.lower() in ("true", "1", "yes")
        if isinstance(config.video, str) and config.video.lower() in ("true", "false"):
            config.video = config.video.lower() == "true"
        if config.video not in ("auto", True, False):
            raise ValueError(f"video is auto, true or false, not {config.video!r}")
        if config.multilabel not in ("auto", True, False):
            raise ValueError(f"multilabel is auto, true or false, not {config.multilabel!r}")
        if config.negatives not in ("auto", "gaps", "span", "covered"):
            raise ValueError(f"negatives is 'auto', 'gaps', 'span' or 'covered', not {config.negatives!r}")
        if config.diff not in ("motion", "cnn", "none"):
            raise ValueError(f"diff is 'motion', 'cnn' or 'none', not {config.diff!r}")
        if config.backbone not in VIDEO_BACKBONES:  # another would fall back, or change the feature width
            raise ValueError(f"backbone is one of {', '.join(VIDEO_BACKBONES)} for behaviour (video features "
                             f"{FEATURE_CHANNELS} wide), not {config.backbone!r}")  # fmt: skip
        if config.subjects not in ("all", "frame"):
            raise ValueError(f"subjects is 'all' or 'frame', not {config.subjects!r}")
        if not (config.video or config.pose):
            raise ValueError("the behaviour task needs at least one input: video or pose")
        return config

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> BehaviourConfig:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def feature_key(self) -> dict[str, Any]:
        """What the cached video features depend on."""
        return {"backbone": self.backbone, "frame_size": self.frame_size, "crop_size": self.crop_size,
                "crop_scale": self.crop_scale, "diff": self.diff}  # fmt: skip
