"""A pose model asked for a torchvision backbone that cannot be downloaded (no internet) falls
back to the offline EfficientNet-Lite0: the user is told with a note event, and the checkpoint
names the backbone really built, so it reloads and predicts (it used to say `resnet18` over
EfficientNet weights, and the note was dropped)."""

from __future__ import annotations
from urllib.error import URLError

import pytest
import torch
import torchvision.models._api

from core.demo import WorldConfig
from core.ml.checkpoint import load_checkpoint
from core.ml.events import collect
from core.ml.tasks.pose import build_adapter, load_predictor
from core.ml.trainer import TrainConfig, Trainer
from core.demo.project import create_demo_project

pytestmark = pytest.mark.slow


def _offline(*_args, **_kwargs):
    raise URLError("no internet here")


def test_a_fallen_back_backbone_is_noted_and_its_checkpoint_reloads(tmp_path, monkeypatch):
    monkeypatch.setattr(torchvision.models._api, "load_state_dict_from_url", _offline)  # offline, even on CI with a network
    config = WorldConfig(width=160, height=120, seconds=2, n_animals=1, seed=5)
    with create_demo_project(tmp_path / "p", config, labeled_frames=6) as project:
        adapter = build_adapter(project, {"backbone": "resnet18", "mode": "single", "batch_size": 2,
                                          "samples_per_epoch": 2, "decoder_channels": 16})  # fmt: skip
        events = []
        torch.set_num_threads(1)
        result = Trainer(adapter, TrainConfig(epochs=1, warmup_steps=1, patience=0), tmp_path / "run", collect(events)).fit()
    notes = [e["message"] for e in events if e["event"] == "note"]
    assert any("resnet18" in n and "using efficientnet_lite0 instead" in n for n in notes), notes
    payload = load_checkpoint(result.best_path, "pose")
    assert payload["adapter"]["config"]["backbone"] == "efficientnet_lite0"
    predictor = load_predictor(payload, "cpu")
    (instances,) = predictor.predict(adapter.val_frames[:1])
    assert len(instances) == 1 and instances[0].keypoints.shape == (6, 3)
