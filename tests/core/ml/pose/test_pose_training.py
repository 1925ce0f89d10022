"""The pose task end to end on tiny rendered demo worlds: labels become samples, augmentation
moves (and swaps) keypoints correctly, a few real training steps lower the loss, and a
checkpoint round trip gives a predictor that returns well-formed instances."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.demo import WorldConfig
from core.domain import Instance
from core.ml.checkpoint import CheckpointError, load_checkpoint
from core.ml.data.frame_store import FrameStore
from core.ml.events import collect
from core.ml.tasks.pose import build_adapter, load_predictor
from core.ml.tasks.pose.config import anchor_of
from core.ml.trainer import TrainConfig, Trainer
from core.demo.project import create_demo_project

FAST = {"batch_size": 4, "samples_per_epoch": 8, "decoder_channels": 16, "pretrained": True}


@pytest.fixture(scope="module")
def two_mice(tmp_path_factory):
    config = WorldConfig(width=160, height=120, seconds=2, n_animals=2, seed=3)
    with create_demo_project(tmp_path_factory.mktemp("two") / "p", config, labeled_frames=8) as project:
        yield project


@pytest.fixture(scope="module")
def one_mouse(tmp_path_factory):
    config = WorldConfig(width=160, height=120, seconds=2, n_animals=1, seed=5)
    with create_demo_project(tmp_path_factory.mktemp("one") / "p", config, labeled_frames=8) as project:
        yield project


def labelled_pixels(points: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Whole crop pixels at the nodes, kept one pixel off the crop's edge."""
    return [(int(np.clip(round(x), 1, size - 2)), int(np.clip(round(y), 1, size - 2))) for x, y in points]


def _train(adapter, folder, epochs):
    events = []
    torch.set_num_threads(1)
    result = Trainer(adapter, TrainConfig(epochs=epochs, lr=2e-3, warmup_steps=3, patience=0), folder, collect(events)).fit()
    return result, [e["loss"] for e in events if e["event"] == "step"], events


def test_mode_and_input_scaling_are_picked_from_the_labels(one_mouse, two_mice):
    small = build_adapter(one_mouse, FAST)  # one mouse filling a small part of the frame: found, then cropped
    assert small.config.mode == "topdown" and small.config.max_instances == 1
    single = build_adapter(one_mouse, {**FAST, "mode": "single"})
    assert single.config.mode == "single" and 0 < single.config.input_scale <= 1
    topdown = build_adapter(two_mice, FAST)
    config = topdown.config
    assert config.mode == "topdown" and config.crop_size % 32 == 0 and 0 < config.centroid_scale <= 1
    assert config.crop_size >= config.animal_px * config.crop_scale  # a crop holds a whole animal
    forced = build_adapter(two_mice, {**FAST, "mode": "single"})
    assert forced.config.mode == "single"
    state = topdown.state()
    assert state["config"]["crop_size"] == config.crop_size and state["skeleton"]["nodes"][0] == "snout"


def test_top_down_crops_are_centred_on_their_animal_and_hold_it(two_mice):
    adapter = build_adapter(two_mice, FAST)
    samples = adapter.train_samples
    size = adapter.config.crop_size
    assert adapter.config.crop_scale == 1.0  # small animals: crops at full resolution
    store = FrameStore(two_mice)
    for index, (n, i) in enumerate(samples.instances):
        label = samples.labels[n]
        keypoints = label.keypoints[i]
        sample = samples.crop(index, augment=False)
        assert sample.image.shape == (3, size, size)
        labelled = keypoints[:, 2] > 0
        inside = (sample.points[labelled] >= 0).all() and (sample.points[labelled] <= size - 1).all()
        assert inside, "every labelled node of the centred animal lies in its crop"
        offset = sample.points.numpy() - keypoints[:, :2]  # a pure shift at crop scale 1
        assert np.allclose(offset[labelled], offset[labelled][0], atol=1e-3)
        centre = anchor_of(keypoints, adapter.config.anchor_node) + offset[labelled][0]
        assert np.allclose(centre, (size - 1) / 2, atol=1e-3)
        store.load([label.key])
        frame = store[label.key].astype(np.float64)
        for u, v in labelled_pixels(sample.points[labelled].numpy(), size):  # the crop's pixels are the frame's
            x, y = u - offset[labelled][0][0], v - offset[labelled][0][1]
            x0, y0 = int(np.floor(x)), int(np.floor(y))
            fx, fy = x - x0, y - y0
            expected = ((1 - fx) * (1 - fy) * frame[y0, x0] + fx * (1 - fy) * frame[y0, x0 + 1]
                        + (1 - fx) * fy * frame[y0 + 1, x0] + fx * fy * frame[y0 + 1, x0 + 1])  # fmt: skip
            assert np.allclose(sample.image[:, v, u].numpy() * 255, expected, atol=2.0)


def test_a_horizontal_flip_swaps_symmetric_nodes(two_mice):
    flip = {"rotation": 0, "scale": 0, "translate": 0, "hflip": 1.0, "brightness": 0, "contrast": 0, "gamma": 0,
            "blur": 0, "noise": 0}  # fmt: skip
    plain = build_adapter(two_mice, FAST).train_samples.crop(0, augment=False)
    flipped = build_adapter(two_mice, {**FAST, "augment": flip}).train_samples.crop(0, augment=True)
    size = plain.image.shape[-1]
    left, right = 1, 2  # the demo skeleton's left_ear and right_ear
    mirrored = plain.points.clone()
    mirrored[:, 0] = (size - 1) - mirrored[:, 0]
    assert torch.allclose(flipped.points[left], mirrored[right], atol=1e-3)
    assert torch.allclose(flipped.points[right], mirrored[left], atol=1e-3)
    assert torch.allclose(flipped.points[0], mirrored[0], atol=1e-3)  # the snout stays the snout
    assert torch.allclose(flipped.image, plain.image.flip(-1), atol=1e-5)


@pytest.mark.slow
def test_single_animal_training_lowers_the_loss_and_round_trips_a_predictor(one_mouse, tmp_path):
    adapter = build_adapter(one_mouse, {**FAST, "mode": "single"})
    result, losses, events = _train(adapter, tmp_path, epochs=8)
    assert np.mean(losses[-3:]) < 0.85 * np.mean(losses[:3]), losses
    epoch = next(e for e in events if e["event"] == "epoch")
    assert {"val_loss", "val_median_px_error", "val_mean_px_error", "val_pck_5px", "val_pck_10px",
            "val_oks_map"} <= set(epoch["metrics"])  # fmt: skip
    assert any(e["event"] == "preview" for e in events)

    predictor = load_predictor(load_checkpoint(result.last_path, "pose"), "cpu")
    frames = adapter.val_frames + adapter.val_frames
    predicted = predictor.predict(frames)
    assert len(predicted) == len(frames)
    for instances in predicted:
        (instance,) = instances  # single mode: always one animal, however low its peaks
        assert isinstance(instance, Instance) and instance.source == "predicted"
        assert instance.keypoints.shape == (6, 3) and instance.keypoint_scores.shape == (6,)
        assert (instance.keypoints[:, 2] == 2).all() and 0 <= instance.score <= 1  # every node placed
        assert instance.score == pytest.approx(float(instance.keypoint_scores.mean()), abs=1e-6)
        assert instance.video_id == 0 and instance.frame_index == 0
    assert 0 <= epoch["metrics"]["val_node_threshold"] <= 0.5 and 0 <= epoch["metrics"]["val_nodes_placed"] <= 1


@pytest.mark.slow
def test_top_down_training_lowers_the_loss_and_predicts_each_animal(two_mice, tmp_path):
    adapter = build_adapter(two_mice, FAST)
    result, losses, _ = _train(adapter, tmp_path, epochs=8)
    assert np.mean(losses[-3:]) < 0.85 * np.mean(losses[:3]), losses
    payload = load_checkpoint(result.best_path, "pose")
    assert payload["adapter"]["config"]["mode"] == "topdown"
    predictor = load_predictor(payload, torch.device("cpu"))
    live = adapter.predictor(adapter.build_model().eval(), torch.device("cpu"))  # untrained: shapes only
    for instances in predictor.predict(adapter.val_frames) + live.predict(adapter.val_frames):
        for instance in instances:
            assert instance.keypoints.shape == (6, 3) and instance.box is not None
    with pytest.raises(CheckpointError, match="not a pose model"):
        load_predictor({**payload, "task": "detect"})
    broken = {**payload, "model": {k: v for k, v in payload["model"].items() if "head" not in k}}
    with pytest.raises(CheckpointError, match="cannot be rebuilt"):
        load_predictor(broken)
    # The restored model predicts exactly what it predicted when it was saved.
    model = adapter.build_model()
    model.load_state_dict(payload["model"])
    again = adapter.predictor(model.eval(), torch.device("cpu")).predict_arrays(adapter.val_frames)
    restored = predictor.predict_arrays(adapter.val_frames)
    for a, b in zip(again, restored):
        assert np.allclose(a.keypoints, b.keypoints)
