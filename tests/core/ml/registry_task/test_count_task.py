"""A task registered from the test suite (`count_task.py`, nothing in core/ knows it) trains
with the loss going down, predicts and evaluates through the CLI, exactly as a built-in task.
Its appearance in the Train dialog is tested in tests/gui/training/test_train_dialog_tasks.py."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import pytest
import torch

from core.cli.main import main
from core.demo import WorldConfig
from core.ml.tasks import registry
from core.project import Project
from core.demo.project import create_demo_project

sys.path.insert(0, str(Path(__file__).parent))
from count_task import COUNT  # noqa: E402

WORLD = WorldConfig(width=96, height=72, seconds=1, n_animals=2, seed=1)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("count") / "demo"
    create_demo_project(folder, WORLD, labeled_frames=10).close()
    return str(folder)


@pytest.fixture
def count_task():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with registry.registered(COUNT):
        yield
    torch.set_num_threads(threads)


def _events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_registered_task_trains_predicts_and_evaluates_through_the_cli(demo_folder, count_task, capsys):
    assert "count" in registry.names()
    train = ["train", demo_folder, "--task", "count", "--epochs", "6", "--lr", "0.05", "--device", "cpu", "--events-json"]
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert main(train) == 0
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers  # Ctrl+C stops the caller again
    epochs = [e for e in _events(capsys.readouterr().out) if e["event"] == "epoch"]
    assert len(epochs) == 6 and epochs[-1]["train_loss"] < 0.5 * epochs[0]["train_loss"]
    with Project.open(demo_folder) as project:
        (model,) = project.models.all()
        assert model.task == "count" and "val_count_error" in model.metrics
        video_id = project.videos.all()[0].id

    assert main(["predict", demo_folder, "--frames", "0:6", "--device", "cpu"]) == 0
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers
    assert "instances on 6 frames" in capsys.readouterr().out
    with Project.open(demo_folder) as project:
        predicted = project.instances.on_frames(video_id, 0, 6, source="predicted")
        assert predicted and all(i.model_id == model.id for frame in predicted.values() for i in frame)

    assert main(["evaluate", demo_folder, "--json", "--device", "cpu"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["task"] == "count" and report["evaluated_on"] == "held_out_labels"
    assert report["count_error"] >= 0 and 0 <= report["count_exact"] <= 1
    assert main(["evaluate", demo_folder, "--truth", "demo", "--frames", "5", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "on 5 frames (demo ground truth)" in out and "count_error" in out


def test_an_unregistered_task_is_refused_in_one_line(demo_folder, capsys):
    assert "count" not in registry.names()
    with pytest.raises(SystemExit):  # argparse's usage error
        main(["train", demo_folder, "--task", "count", "--epochs", "1"])
    assert "unknown task 'count'; choose one of pose, detect, segment, behaviour" in capsys.readouterr().err


def test_listing_the_tasks_imports_no_torch_model_code():
    import subprocess

    code = ("import sys; from core.cli.main import build_parser; build_parser(); from core.ml.tasks import registry; "
            "[t.display_name for t in registry.tasks()]; "
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('core.ml.tasks.') and "
            "m.endswith(('.adapter', '.model', '.predictor'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[4]).stdout  # fmt: skip
    assert out.strip() == "[]"
