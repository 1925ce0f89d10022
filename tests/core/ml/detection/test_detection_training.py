"""Detect and segment on a tiny demo project with the real trainer: the loss goes down, the
metrics are COCO's, the scaling is stored, and a checkpoint predicts after a round trip."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.domain import Rle
from core.ml.checkpoint import CheckpointError, load_checkpoint
from core.ml.data.frame_store import FrameStore
from core.ml.events import collect
from core.ml.tasks.detection import build_adapter, load_predictor
from core.ml.trainer import TrainConfig, Trainer

# Small and fast: the tiny world's mice are ~25 px, kept at that size (scale 1).
FAST = {"scale": 1.0, "batch_size": 2, "min_epoch_frames": 6, "augment": False}


def _steps(events: list[dict]) -> list[float]:
    return [e["loss"] for e in events if e["event"] == "step"]


def test_detector_trains_and_its_checkpoint_predicts(tiny_demo, tmp_path):
    adapter = build_adapter(tiny_demo, FAST, "detect")
    assert adapter.monitor == "val_box_map" and adapter.monitor_mode == "max"
    assert len(adapter.train_targets) + len(adapter.val_targets) == 8 and adapter.val_targets
    events: list[dict] = []
    config = TrainConfig(epochs=4, lr=1e-3, warmup_steps=2, patience=0, preview_frames=1)
    result = Trainer(adapter, config, tmp_path, collect(events)).fit()
    losses = _steps(events)
    assert len(losses) == 12
    assert np.mean(losses[-3:]) < 0.7 * np.mean(losses[:3])
    metrics = [e["metrics"] for e in events if e["event"] == "epoch"][-1]
    assert {"val_box_map", "val_box_map50", "val_box_map75"} <= set(metrics)
    assert all(0.0 <= metrics[k] <= 1.0 for k in ("val_box_map", "val_box_map50"))
    preview = next(e for e in events if e["event"] == "preview")["frames"][0]
    assert {"video_id", "frame_index", "instances"} <= set(preview)

    payload = load_checkpoint(result.best_path, "detect")
    state = payload["adapter"]
    assert state["scale"] == 1.0 and state["min_size"] == 120 and state["max_size"] == 160
    assert state["classes"] == [{"id": tiny_demo.label_classes.all()[0].id, "name": "mouse"}]
    predictor = load_predictor(payload, "cpu")
    frames = FrameStore(tiny_demo)
    keys = [t.key for t in adapter.val_targets]
    frames.load(keys)
    found = predictor.predict([frames[k] for k in keys], score_threshold=0.0)
    assert len(found) == len(keys)
    # the restored model answers exactly as the trained one did
    model = adapter.build_model()
    model.load_state_dict(payload["model"])
    model.eval()
    with torch.no_grad():
        direct = model([torch.from_numpy(frames[keys[0]]).permute(2, 0, 1).float() / 255])[0]
    assert torch.allclose(torch.tensor([f["score"] for f in found[0]]), direct["scores"], atol=1e-5)
    for instance in found[0]:
        x1, y1, x2, y2 = instance["box"]
        assert 0 <= x1 < x2 <= 160 and 0 <= y1 < y2 <= 120
        assert instance["class_id"] == state["classes"][0]["id"] and "mask" not in instance
    assert predictor.score_threshold == 0.5 and predictor.predict([frames[keys[0]]], score_threshold=1.01) == [[]]


@pytest.mark.slow
def test_segmenter_trains_and_predicts_masks(tiny_demo, tmp_path):
    adapter = build_adapter(tiny_demo, {**FAST, "augment": {"rotation": 10.0}}, "segment")
    assert adapter.monitor == "val_mask_map"
    events: list[dict] = []
    result = Trainer(adapter, TrainConfig(epochs=3, lr=1e-3, warmup_steps=2, patience=0, preview_frames=1),
                     tmp_path, collect(events)).fit()  # fmt: skip
    losses = _steps(events)
    assert np.mean(losses[-3:]) < np.mean(losses[:3])
    metrics = [e["metrics"] for e in events if e["event"] == "epoch"][-1]
    assert {"val_box_map50", "val_mask_map", "val_mask_map50"} <= set(metrics)
    step = next(e for e in events if e["event"] == "step")
    assert {"mask", "classifier", "box_reg", "objectness", "rpn_box_reg"} <= set(step["parts"])

    predictor = load_predictor(load_checkpoint(result.last_path, "segment"), torch.device("cpu"))
    frame = np.zeros((120, 160, 3), np.uint8)
    (found,) = predictor.predict([frame], score_threshold=0.0)
    for instance in found:
        assert isinstance(instance["mask"], Rle) and (instance["mask"].height, instance["mask"].width) == (120, 160)


def test_auto_scaling_follows_the_animal_size(tiny_demo):
    small = build_adapter(tiny_demo, {}, "detect").state()
    assert small["scale"] > 1.5  # ~25 px mice are enlarged towards 64 px
    assert small["min_size"] == round(120 * small["scale"])
    big = build_adapter(tiny_demo, {"target_size": 25.0}, "detect").state()
    assert big["scale"] < small["scale"]
    sizes = [s for level in small["anchor_sizes"] for s in level]
    assert sizes == sorted(sizes) and len(small["anchor_sizes"]) == 4
    assert small["aspect_ratios"][0] < 1.0 < small["aspect_ratios"][-1]


def test_a_checkpoint_of_another_task_is_refused():
    with pytest.raises(CheckpointError, match="not a detection"):
        load_predictor({"task": "pose", "adapter": {}, "model": {}}, "cpu")
