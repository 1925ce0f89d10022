"""Exported pose models: ONNX (checked by the onnx package, run by ONNX Runtime without torch)
and TorchScript, with a JSON card; predictions the same as the PyTorch model's on the demo
(max node difference far below a pixel); a foreign ONNX file or another task refused in one line."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.cli import main as cli
from core.domain import ModelRecord
from core.project import Project

onnx = pytest.importorskip("onnx", reason='the onnx extra is not installed (pip install -e ".[onnx]")')
pytest.importorskip("onnxruntime", reason="ONNX Runtime is not installed")

FAST = {"batch_size": 4, "samples_per_epoch": 8, "decoder_channels": 16}
ROOT = Path(__file__).parents[3]


def _trained(folder: Path, mode: str) -> Path:
    import torch

    from core.demo import WorldConfig
    from core.ml.jobs.train_job import train
    from core.ml.trainer import TrainConfig
    from core.demo.project import create_demo_project

    torch.set_num_threads(2)
    world = WorldConfig(width=160, height=120, seconds=2, n_animals=1 if mode == "single" else 2, seed=3)
    with create_demo_project(folder, world, labeled_frames=8) as project:
        train(project, "pose", {**FAST, "mode": mode}, TrainConfig(epochs=1, lr=2e-3, warmup_steps=2, patience=0, device="cpu"))
    return folder


def _frames(project: Project, step: int = 9) -> list[np.ndarray]:
    from core.video import open_video

    video = project.videos.all()[0]
    with open_video(video.path) as reader:
        return [np.array(reader.read(i)) for i in range(0, video.frame_count, step)]


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    return _trained(tmp_path_factory.mktemp("single") / "p", "single")


@pytest.mark.slow
def test_onnx_export_predicts_what_the_pytorch_model_does(single, tmp_path, capsys):
    from core.ml.jobs.predict_job import load_model_predictor
    from core.ml.onnx_runtime import OnnxPosePredictor

    out = tmp_path / "mouse.onnx"
    assert cli.main(["export-model", str(single), "--model", "1", str(out)]) == 0
    assert f"{out}, {tmp_path / 'mouse.json'}" in capsys.readouterr().out
    onnx.checker.check_model(onnx.load(str(out)))  # the onnx package's own validation
    card = json.loads((tmp_path / "mouse.json").read_text())
    assert card["task"] == "pose" and card["mode"] == "single" and card["skeleton"]["nodes"][0] == "snout"
    assert card["input"]["input_scale"] > 0 and card["output"]["output_stride"] == 2 and "node_threshold" in card["thresholds"]
    with Project.open(single) as project:
        _, reference = load_model_predictor(project, 1, device="cpu")
        frames = _frames(project)
        expected = reference.predict_arrays(frames)
    got = OnnxPosePredictor(out).predict(frames)
    differences = [np.abs(a.keypoints - b.keypoints).max() for a, b in zip(expected, got)]
    assert all(a.keypoints.shape == b.keypoints.shape == (1, 6, 3) for a, b in zip(expected, got))
    assert max(differences) < 0.01, differences  # a hundredth of a pixel; the issue asks for under one
    assert max(np.abs(a.node_scores - b.node_scores).max() for a, b in zip(expected, got)) < 1e-4


@pytest.mark.slow
def test_predict_with_onnx_runs_without_torch_and_stores_the_same_poses(single, tmp_path):
    out = tmp_path / "mouse.onnx"
    assert cli.main(["export-model", str(single), str(out)]) == 0
    blocked = ("import sys; sys.modules['torch'] = None; sys.modules['torchvision'] = None; "
               "from core.cli.main import main; sys.exit(main(sys.argv[1:]))")  # fmt: skip
    run = subprocess.run([sys.executable, "-c", blocked, "predict", str(single), "--model", str(out), "--frames", "0:12"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "12 instances on 12 frames" in run.stdout and "onnx:mouse.onnx" in run.stdout
    from core.ml.jobs.predict_job import load_model_predictor

    with Project.open(single) as project:
        video = project.videos.all()[0]
        (stored,) = [i for i in project.instances.on_frame(video.id, 9, source="predicted") if i.origin == "onnx:mouse.onnx"]
        _, reference = load_model_predictor(project, 1, device="cpu")
        (expected,) = reference.predict_arrays(_frames(project)[1:2])
    assert np.abs(stored.keypoints - expected.keypoints[0]).max() < 0.01
    again = subprocess.run([sys.executable, "-c", blocked, "predict", str(single), "--model", str(out), "--frames", "0:12"],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert again.returncode == 0
    with Project.open(single) as project:  # predicting again replaces, never doubles
        assert len([i for i in project.instances.on_frame(video.id, 9, source="predicted") if i.origin == "onnx:mouse.onnx"]) == 1


@pytest.mark.slow
def test_torchscript_export_gives_the_models_maps(single, tmp_path):
    import torch

    from core.ml.jobs.predict_job import load_model_predictor
    from core.ml.tasks.pose.model import PoseModel

    out = tmp_path / "mouse.pt"
    assert cli.main(["export-model", str(single), str(out)]) == 0
    extra = {"ethoframe_card.json": ""}
    scripted = torch.jit.load(str(out), _extra_files=extra)
    assert json.loads(extra["ethoframe_card.json"])["files"]["format"] == "torchscript"
    with Project.open(single) as project:
        _, reference = load_model_predictor(project, 1, device="cpu")
    images = torch.rand(2, 3, 96, 128)
    with torch.no_grad():
        expected = PoseModel.probabilities(reference.model.instance, reference.model.instance(images))
        assert torch.allclose(scripted(images), expected, atol=1e-5)


@pytest.mark.slow
def test_top_down_onnx_matches_too(tmp_path_factory, tmp_path):
    from core.ml.export_onnx import export_model
    from core.ml.jobs.predict_job import load_model_predictor
    from core.ml.onnx_runtime import OnnxPosePredictor

    folder = _trained(tmp_path_factory.mktemp("topdown") / "p", "topdown")
    with Project.open(folder) as project:
        export_model(project, 1, tmp_path / "td.onnx")
        _, reference = load_model_predictor(project, 1, device="cpu")
        frames = _frames(project)
    exported = OnnxPosePredictor(tmp_path / "td.onnx")
    assert exported.card["mode"] == "topdown" and exported.card["input"]["crop_size"] % 32 == 0
    # A one-epoch centroid map is low: lower its threshold on both sides so animals are found.
    reference.config = dataclasses.replace(reference.config, centroid_threshold=0.01)
    exported.card["thresholds"]["centroid_threshold"] = 0.01
    expected, got = reference.predict_arrays(frames), exported.predict(frames)
    assert sum(len(a.keypoints) for a in expected) > 0
    for a, b in zip(expected, got):
        assert a.keypoints.shape == b.keypoints.shape
        if len(a.keypoints):  # sub-pixel fits on a one-epoch model's flat maps magnify float noise: measured 0.06 px
            assert np.abs(a.keypoints - b.keypoints).max() < 0.25


def test_a_foreign_onnx_file_is_refused_in_one_line(tmp_path, capsys):
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "other",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])])  # fmt: skip
    onnx.save(helper.make_model(graph), str(tmp_path / "other.onnx"))
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    assert cli.main(["new", str(tmp_path / "p")]) == 0
    for name, message in (("other.onnx", "not one Ethoframe exported"), ("junk.onnx", "not an ONNX model"), ("gone.onnx", "does not exist")):
        assert cli.main(["predict", str(tmp_path / "p"), "--model", str(tmp_path / name)]) == 1
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err
    with Project.open(tmp_path / "p") as project:
        assert project.counts().instances_predicted == 0


def test_only_pose_models_are_exported(tmp_path, capsys):
    assert cli.main(["new", str(tmp_path / "p")]) == 0
    with Project.open(tmp_path / "p") as project:
        project.models.add(ModelRecord("boxes", "detect", "models/detect-001", {}, {}))
    assert cli.main(["export-model", str(tmp_path / "p"), "--model", "1", str(tmp_path / "m.onnx")]) == 1
    assert "model 1 is a detect model: Detect (boxes) models cannot be exported yet" in capsys.readouterr().err
    assert not (tmp_path / "m.onnx").exists() and not (tmp_path / "m.json").exists()
    assert cli.main(["export-model", str(tmp_path / "p"), str(tmp_path / "m.onnx")]) == 1  # no exportable model at all
    assert "no trained model to export yet (pose)" in capsys.readouterr().err
