"""A detector asked for a torchvision backbone that cannot be downloaded falls back to the
offline EfficientNet-Lite0 with a note, and its state names the backbone built, so a
checkpoint of it rebuilds."""

from __future__ import annotations

from urllib.error import URLError

import torchvision.models._api

from core.ml.tasks.detection import build_adapter, load_predictor


def _offline(*_args, **_kwargs):
    raise URLError("no internet here")


def test_a_fallen_back_backbone_is_noted_and_named_in_the_state(tiny_demo, monkeypatch):
    monkeypatch.setattr(torchvision.models._api, "load_state_dict_from_url", _offline)
    adapter = build_adapter(tiny_demo, {"backbone": "resnet18", "scale": 1.0, "augment": False}, "detect")
    model = adapter.build_model()
    assert any("resnet18" in n and "using efficientnet_lite0 instead" in n for n in adapter.notes), adapter.notes
    assert adapter.state()["backbone"] == "efficientnet_lite0"
    payload = {"task": "detect", "adapter": adapter.state(), "model": model.state_dict()}
    predictor = load_predictor(payload, "cpu")  # rebuilds from the state: the weights fit
    assert predictor.model.backbone.body.name == "efficientnet_lite0"
