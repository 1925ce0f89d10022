"""The pose networks: a pretrained backbone with a light FPN decoder that predicts one heatmap
per node (or one centroid heatmap), and the module that holds the networks of one pose model.

The decoder merges c5 -> c4 -> c3 -> c2 by upsampling and adding 1x1 lateral projections (the
top-down path of a feature pyramid, without the extra output levels), then, at stride 2, one
more upsampling with a small convolution. Heads start near zero, as the Gaussian targets
mostly are (or at a 1 % prior for the focal loss's logits). The backbone's layers up to stride
4 are frozen by default (see `early_layers`): on a CPU this doubles the training speed.
Weights and inputs are channels-last (NHWC), the faster layout on CPUs and on GPUs with AMP.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from core.ml.backbones import Backbone, EfficientNetLite, build_backbone


def early_layers(backbone: Backbone) -> list[nn.Module]:
    """The backbone's layers up to stride 4 (c2): generic edge and texture filters that a few
    dozen labels cannot improve, and the costliest to back-propagate through on a CPU."""
    if isinstance(backbone, EfficientNetLite):
        return [backbone.stem, *backbone.blocks[: backbone.taps["c2"] + 1]]
    prefixes = ("conv1", "bn1", "layer1", "features.0", "features.1", "features.2", "features.3")
    return [module for name, module in backbone.body.named_children() if name.startswith(prefixes)]


def _conv(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


LEVELS = ("c2", "c3", "c4", "c5")


class HeatmapNet(nn.Module):
    """Images (N, 3, H, W) in [0, 1], H and W multiples of 32 -> heatmaps (N, maps, H/s, W/s)."""

    def __init__(self, backbone: str, maps: int, output_stride: int = 2, channels: int = 64, pretrained: bool = True,
                 freeze_early: bool = True, logits: bool = True, top: str = "c5") -> None:  # fmt: skip
        super().__init__()
        self.logits = logits  # maps are logits (focal loss, sigmoid at inference) or direct values (MSE)
        self.backbone, self.note = build_backbone(backbone, pretrained=pretrained, fallback=pretrained)
        self.frozen = early_layers(self.backbone) if freeze_early else []
        for module in self.frozen:
            module.requires_grad_(False)
        c = self.backbone.channels
        self.levels = LEVELS[: LEVELS.index(top) + 1]  # c2 up to the deepest level the decoder reads
        if hasattr(self.backbone, "truncate"):
            self.backbone.truncate(top)
        self.lateral = nn.ModuleDict({level: nn.Conv2d(c[level], channels, 1) for level in self.levels})
        self.smooth = nn.ModuleDict({level: _conv(channels, channels) for level in self.levels[:-1]})
        self.output_stride = output_stride
        fine = channels // 2
        self.refine = _conv(channels, fine) if output_stride == 2 else None
        self.head = nn.Conv2d(fine if output_stride == 2 else channels, maps, 1)
        nn.init.normal_(self.head.weight, std=1e-3)
        nn.init.constant_(self.head.bias, -4.6 if logits else 0.0)  # sigmoid(-4.6) = 0.01, the prior

    def train(self, mode: bool = True) -> HeatmapNet:
        super().train(mode)
        for module in self.frozen:  # frozen layers keep their ImageNet normalisation statistics
            module.eval()
        return self

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = self.backbone(images.contiguous(memory_format=torch.channels_last))
        x = self.lateral[self.levels[-1]](features[self.levels[-1]])
        for level in reversed(self.levels[:-1]):
            x = F.interpolate(x, size=features[level].shape[-2:], mode="bilinear", align_corners=False)
            x = self.smooth[level](x + self.lateral[level](features[level]))
        if self.refine is not None:
            x = self.refine(F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False))
        return self.head(x)


class PoseModel(nn.Module):
    """One pose model: `instance` predicts the nodes (on a crop in top-down mode, on the whole
    frame in single mode); `centroid` (top-down only) finds each animal on the downscaled frame.
    `forward` takes both batches so one DistributedDataParallel wrapper sees every parameter."""

    def __init__(self, backbone: str, n_nodes: int, topdown: bool, output_stride: int = 2, channels: int = 32,
                 pretrained: bool = True, freeze_early: bool = True, logits: bool = True, top: str = "c5") -> None:  # fmt: skip
        super().__init__()
        self.instance = HeatmapNet(backbone, n_nodes, output_stride, channels, pretrained, freeze_early, logits, top)
        self.centroid = (HeatmapNet(backbone, 1, output_stride, channels, pretrained, freeze_early, logits)
                         if topdown else None)  # fmt: skip
        self.note = self.instance.note
        # Channels-last convolutions: measured on one CPU core, a training step 25 % and an
        # inference pass 35 % faster than the default layout (and the layout CUDA's AMP prefers).
        self.to(memory_format=torch.channels_last)

    @staticmethod
    def probabilities(net: HeatmapNet, maps: torch.Tensor) -> torch.Tensor:
        """Maps as peak heights in [0, 1] (the sigmoid of logits), for reading peaks."""
        return torch.sigmoid(maps) if net.logits else maps

    def forward(self, instance_images: torch.Tensor | None, centroid_images: torch.Tensor | None = None
                ) -> tuple[torch.Tensor | None, torch.Tensor | None]:  # fmt: skip
        instance = self.instance(instance_images) if instance_images is not None else None
        centroid = self.centroid(centroid_images) if centroid_images is not None and self.centroid is not None else None
        return instance, centroid
