"""The Train dialog lists what the task registry holds, and nothing else: a task registered from
the test suite (`tests/core/ml/registry_task/count_task.py`) is offered with its display name,
its preview area says what it has to say, and OK trains it (`--task count`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from core.domain import Box, Instance, Video
from core.ml.tasks import registry
from gui.training.train_dialog import TrainDialog

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core" / "ml" / "registry_task"))
from count_task import COUNT  # noqa: E402

pytestmark = pytest.mark.gui


def _items(dialog: TrainDialog) -> dict[str, str]:
    return {dialog.task_box.itemData(i): dialog.task_box.itemText(i) for i in range(dialog.task_box.count())}


def test_a_registered_task_is_offered_and_trained_by_the_dialog(qtbot, project):
    video = project.videos.add(Video("/data/arena.mp4", 30, 30.0, 64, 48, "f" * 64))
    project.instances.add(Instance(video.id, 0, box=Box(1, 1, 10, 10)))
    with registry.registered(COUNT):
        dialog = TrainDialog(project, last_task="count")
        qtbot.addWidget(dialog)
        assert list(_items(dialog)) == list(registry.names()) and _items(dialog)["count"] == "Count (animals per frame)"
        assert dialog.task == "count"
        assert "Count (animals per frame): no augmented samples to preview" in dialog.grid.message.text()
        assert dialog.arguments()[:2] == ["--task", "count"]
        with qtbot.waitSignal(dialog.accepted):
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    without = TrainDialog(project)
    qtbot.addWidget(without)
    assert "count" not in _items(without) and list(_items(without)) == ["pose", "detect", "segment", "behaviour"]


def test_options_the_chosen_task_does_not_know_keep_the_dialog_open_and_say_so(qtbot, project):
    video = project.videos.add(Video("/data/arena.mp4", 30, 30.0, 64, 48, "f" * 64))
    project.instances.add(Instance(video.id, 0, box=Box(1, 1, 10, 10)))
    dialog = TrainDialog(project, last_task="detect")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.options_edit.setText("mode=topdown")  # a pose option
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert "unknown option(s) for detect: ['mode']" in dialog.grid.message.text()
    dialog.options_edit.setText('augment={"rotate":5}')  # the old spelling of rotation is still read
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
