"""Issue 16, defect 5: a checkpoint's recipe is checked before anything is built from it. A
crafted `crop_size` of 30000 allocated 3.4 GB then died in a traceback; a checkpoint of
another task filed under this one died in `KeyError: 'backbone'`. Now: one line each."""

from __future__ import annotations

import time
from dataclasses import asdict

import pytest
import torch

from core.demo import WorldConfig
from core.ml.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from core.ml.tasks.pose.config import PoseConfig
from core.ml.tasks.registry import load_predictor
from core.demo.project import create_demo_project


def _pose_recipe(**config) -> dict:
    return {"config": {**asdict(PoseConfig(mode="topdown", pretrained=False)), **config},
            "skeleton": {"nodes": ["snout", "tail"], "edges": [[0, 1]], "symmetries": []}}  # fmt: skip


def _saved(tmp_path, task: str, adapter: dict, name: str = "best.pt"):
    return save_checkpoint(tmp_path / name, {"task": task, "adapter": adapter, "model": {}})


@pytest.mark.parametrize(
    "task, adapter, words",
    [
        ("pose", _pose_recipe(crop_size=30000), ("crop_size is 30000", "was not loaded")),
        ("pose", _pose_recipe(crop_scale=float("nan")), ("crop_scale",)),
        ("pose", _pose_recipe(decoder_channels=10**9), ("decoder_channels",)),
        ("pose", {"config": {}, "skeleton": {"nodes": ["a"]}}, ("config.'backbone'",)),
        ("detect", _pose_recipe(), ("no 'backbone'", "another task")),
        ("segment", _pose_recipe(), ("no 'backbone'",)),
        ("behaviour", _pose_recipe(), ("no 'behaviours'",)),
        ("pose", {"config": [], "skeleton": {}}, ("'config' is a list",)),
        ("pose", {**_pose_recipe(), "junk": [[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}, ("deeper",)),
    ],
)
def test_a_crafted_or_misfiled_recipe_is_refused_in_one_line(tmp_path, task, adapter, words):
    path = _saved(tmp_path, task, adapter)
    with pytest.raises(CheckpointError) as raised:
        load_checkpoint(path, task)
    message = str(raised.value)
    assert "\n" not in message and str(path) in message
    for word in words:
        assert word in message, message


def test_a_recipe_this_version_cannot_rebuild_is_a_checkpoint_error_not_a_key_error(tmp_path):
    """What passes the recipe check but still does not build (weights of another shape) is one
    line too, from every task's predictor."""
    state = {"task": "detect", "backbone": "nope", "fpn_channels": 8, "anchor_sizes": [[8]], "aspect_ratios": [1.0],
             "representation": 8, "min_size": 64, "max_size": 64, "classes": ["a"], "detections_per_img": 5}  # fmt: skip
    payload = load_checkpoint(_saved(tmp_path, "detect", state), "detect")
    with pytest.raises(CheckpointError, match="cannot be rebuilt"):
        load_predictor(payload, "cpu")
    behaviour = {"config": {"backbone": "x"}, "behaviours": [], "layout": {"frame_dims": 1, "crop_dims": 1}, "n_exclusive": 1, "pose_dims": 0}
    payload = load_checkpoint(_saved(tmp_path, "behaviour", behaviour, "b.pt"), "behaviour")
    with pytest.raises(CheckpointError, match="cannot be rebuilt"):
        load_predictor(payload, "cpu")


@pytest.mark.slow
def test_a_real_pose_checkpoint_loads_and_its_crafted_copy_is_refused_before_allocating(tmp_path):
    from core.ml.tasks.pose import build_adapter
    from core.ml.tasks.pose.adapter import build_model_from_state

    torch.set_num_threads(1)
    config = WorldConfig(width=160, height=120, seconds=2, n_animals=2, seed=3)
    with create_demo_project(tmp_path / "p", config, labeled_frames=4) as project:
        state = build_adapter(project, {"batch_size": 2, "decoder_channels": 16, "pretrained": False, "mode": "topdown"}).state()
    model = build_model_from_state(state, pretrained=False)
    real = save_checkpoint(tmp_path / "real.pt", {"task": "pose", "adapter": state, "model": model.state_dict()})
    predictor = load_predictor(load_checkpoint(real, "pose"), "cpu")
    assert predictor is not None
    crafted_state = {**state, "config": {**state["config"], "crop_size": 30000}}
    crafted = save_checkpoint(tmp_path / "crafted.pt", {"task": "pose", "adapter": crafted_state, "model": model.state_dict()})
    started = time.perf_counter()
    with pytest.raises(CheckpointError, match="crop_size is 30000"):
        load_checkpoint(crafted, "pose")
    assert time.perf_counter() - started < 2.0
