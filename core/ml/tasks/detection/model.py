"""Faster R-CNN (boxes) and Mask R-CNN (masks) from torchvision on Ethoframe's backbones.

Our `Backbone` (features c2..c5, input normalised inside) is wrapped with a feature pyramid
over c3..c5 (GroupNorm) plus a max-pooled level (strides 8, 16, 32, 64) into the
`out_channels` module torchvision's detectors expect; c2 is left out because stride 4 would
double the pyramid's cost, and input scaling (`scaling.py`) keeps animals >= 20 px anyway. Sized for a CPU and a handful of animals per frame rather
than COCO's 80 classes: a 128-channel pyramid, a 512-wide box head, 64 sampled regions per
image, 300 proposals in training and 100 at inference. The backbone's batch norms are frozen
(their statistics are ImageNet's; batches of two frames would only add noise), and its
stride-2/4 layers too, as torchvision's `trainable_backbone_layers` does: they cost the most
backward time at full resolution and change least when fine-tuning.

Why Faster R-CNN and not FCOS: FCOS runs two towers of four 3x3 convolutions on every
pyramid level, which at stride 8 costs more on a CPU than the whole EfficientNet-Lite0;
Faster R-CNN's proposal head is one convolution and its second stage sees only a few dozen
regions. Two-stage detectors are also the usual base for fine-tuning from few labels, and
Mask R-CNN is Faster R-CNN plus a mask head, so detect and segment share one model, one
input scaling and one checkpoint format. (FCOS was not measured here.)

`build_detector(state)` rebuilds exactly the model a checkpoint's `state()` describes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import torch
from torch import nn
from torchvision.models.detection import FasterRCNN, MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.ops import FeaturePyramidNetwork, FrozenBatchNorm2d, MultiScaleRoIAlign
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

from core.ml.backbones import Backbone, build_backbone

LEVELS = ("c3", "c4", "c5")
# Parameters of the early, high-resolution layers left as pretrained, per backbone.
_FROZEN_PREFIXES = {
    "efficientnet_lite0": ("stem.", "blocks.0.", "blocks.1.", "blocks.2."),
    "efficientnet_lite1": ("stem.", "blocks.0.", "blocks.1.", "blocks.2.", "blocks.3."),
    "efficientnet_lite2": ("stem.", "blocks.0.", "blocks.1.", "blocks.2.", "blocks.3."),
    "resnet18": ("body.conv1.", "body.bn1.", "body.layer1."),
    "resnet50": ("body.conv1.", "body.bn1.", "body.layer1."),
    "mobilenet_v3_large": tuple(f"body.features.{i}." for i in range(4)),
}


def group_norm(channels: int) -> nn.GroupNorm:
    """GroupNorm, as Detectron's GN heads: no batch statistics (batches here are two frames),
    and it brings the backbone's large raw features (std 3-8) to unit scale, without which the
    mask head starts with logits in the tens."""
    return nn.GroupNorm(min(32, channels // 4), channels)


class PyramidBackbone(nn.Module):
    """Backbone features c3..c5 through a feature pyramid: {"0", "1", "2", "pool"}."""

    def __init__(self, body: Backbone, out_channels: int = 128) -> None:
        super().__init__()
        self.body = freeze_early_layers(body).to(memory_format=torch.channels_last)
        self.fpn = FeaturePyramidNetwork(
            [body.channels[level] for level in LEVELS], out_channels, LastLevelMaxPool(), norm_layer=group_norm
        )
        self.out_channels = out_channels

    def forward(self, images: torch.Tensor) -> OrderedDict[str, torch.Tensor]:
        # channels-last runs oneDNN's fast convolution kernels on the CPU (about 25% faster here)
        features = self.body(images.contiguous(memory_format=torch.channels_last))
        return self.fpn(OrderedDict((str(i), features[level]) for i, level in enumerate(LEVELS)))


def freeze_early_layers(body: Backbone) -> Backbone:
    """Batch norms frozen (FrozenBatchNorm2d, as torchvision's detectors do) and the early
    layers' weights fixed."""
    _freeze_batch_norms(body)
    prefixes = _FROZEN_PREFIXES.get(body.name, ())
    for name, parameter in body.named_parameters():
        if name.startswith(prefixes):
            parameter.requires_grad_(False)
    return body


def _freeze_batch_norms(module: nn.Module) -> None:
    for name, child in module.named_children():
        if isinstance(child, nn.BatchNorm2d):
            frozen = FrozenBatchNorm2d(child.num_features, eps=child.eps)
            with torch.no_grad():
                frozen.weight.copy_(child.weight)
                frozen.bias.copy_(child.bias)
                frozen.running_mean.copy_(child.running_mean)
                frozen.running_var.copy_(child.running_var)
            setattr(module, name, frozen)
        else:
            _freeze_batch_norms(child)


def build_detector(state: dict[str, Any], pretrained: bool = False, fallback: bool = False) -> tuple[nn.Module, str | None]:
    """The detector `state` describes (see `DetectionAdapter.state`), and a backbone note.
    `pretrained` loads ImageNet weights into the backbone (training); a checkpoint's weights
    replace them anyway when predicting."""
    body, note = build_backbone(state["backbone"], pretrained=pretrained, fallback=fallback)
    channels = int(state["fpn_channels"])
    backbone = PyramidBackbone(body, channels)
    sizes = tuple(tuple(level) for level in state["anchor_sizes"])
    anchors = AnchorGenerator(sizes, (tuple(state["aspect_ratios"]),) * len(sizes))
    names = [str(i) for i in range(len(LEVELS))]
    representation = int(state["representation"])
    common: dict[str, Any] = {
        "min_size": int(state["min_size"]), "max_size": int(state["max_size"]),
        "image_mean": [0.0, 0.0, 0.0], "image_std": [1.0, 1.0, 1.0],  # the backbone normalises itself
        "rpn_anchor_generator": anchors,
        "rpn_pre_nms_top_n_train": 1000, "rpn_post_nms_top_n_train": 300,
        "rpn_pre_nms_top_n_test": 500, "rpn_post_nms_top_n_test": 100,
        "box_roi_pool": MultiScaleRoIAlign(names, 7, 2),
        "box_head": TwoMLPHead(channels * 7 * 7, representation),
        "box_predictor": FastRCNNPredictor(representation, len(state["classes"]) + 1),
        "box_batch_size_per_image": 64,
        "box_detections_per_img": int(state["detections_per_img"]),
        "box_score_thresh": 0.01,
    }  # fmt: skip
    if state["task"] == "segment":
        mask_channels = int(state["mask_channels"])
        model = MaskRCNN(
            backbone,
            mask_roi_pool=MultiScaleRoIAlign(names, 14, 2),
            mask_head=MaskRCNNHeads(channels, (mask_channels,) * 4, 1, norm_layer=group_norm),
            mask_predictor=MaskRCNNPredictor(mask_channels, mask_channels, len(state["classes"]) + 1),
            **common,
        )
    else:
        model = FasterRCNN(backbone, **common)
    return model, note
