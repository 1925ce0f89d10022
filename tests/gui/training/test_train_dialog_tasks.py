"""The Train dialog lists what the task registry holds, and nothing else: a task registered from
the test suite (`tests/core/ml/registry_task/count_task.py`) is offered with its display name,
its preview area says what it has to say, and OK trains it (`--task count`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from core.domain import Behaviour, BehaviourEvent, Box, Instance, Track, Video
from core.ml.tasks import registry
from gui.training.train_dialog import TrainDialog

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core" / "ml" / "registry_task"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from count_task import COUNT  # noqa: E402
from video_files import write_test_video  # noqa: E402

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
    assert "count" not in _items(without) and list(_items(without)) == ["pose", "detect", "segment", "behaviour", "classify"]


def _item(dialog: TrainDialog, task: str):
    index = next(i for i in range(dialog.task_box.count()) if dialog.task_box.itemData(i) == task)
    return dialog.task_box.model().item(index)


def test_frame_classification_is_offered_once_whole_frame_events_of_two_behaviours_are_coded(qtbot, project, tmp_path):
    from core.workflows.videos import add_videos

    (video,) = add_videos(project, [write_test_video(tmp_path / "arena.mp4", frames=220)])
    walk, rest = project.behaviours.add(Behaviour("walk", "w")), project.behaviours.add(Behaviour("rest", "r"))
    track = project.tracks.add(Track("mouse 1"))
    project.events.add_many([BehaviourEvent(video.id, walk.id, 0, 40, track.id), BehaviourEvent(video.id, rest.id, 41, 90, track.id),
                             BehaviourEvent(video.id, walk.id, 100, 140, None)])  # fmt: skip
    dialog = TrainDialog(project)
    qtbot.addWidget(dialog)
    assert _items(dialog)["classify"] == "Frame classification (whole frame, from pixels)"
    item = _item(dialog, "classify")
    assert not item.isEnabled() and "whole frame" in item.toolTip() and "No subject" in item.toolTip()
    assert _item(dialog, "behaviour").isEnabled()  # per-animal events train the behaviour task

    project.events.add(BehaviourEvent(video.id, rest.id, 141, 200, None))
    dialog = TrainDialog(project, last_task="classify")
    qtbot.addWidget(dialog)
    assert _item(dialog, "classify").isEnabled() and dialog.task == "classify"
    assert dialog.arguments()[:2] == ["--task", "classify"]
    assert "101 coded frames of walk, rest" in dialog.grid.message.text()  # the whole-frame events only


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


def test_the_options_field_names_the_chosen_tasks_options(qtbot, project):
    video = project.videos.add(Video("/data/arena.mp4", 30, 30.0, 64, 48, "f" * 64))
    project.instances.add(Instance(video.id, 0, box=Box(1, 1, 10, 10)))
    dialog = TrainDialog(project, last_task="detect")
    qtbot.addWidget(dialog)
    tip = dialog.options_edit.toolTip()
    assert "target_size" in tip and "crop_size" not in tip  # detection's own options
    dialog.task_box.setCurrentIndex(dialog.task_box.findData("pose"))  # not trainable here, still described
    assert "crop_size" in dialog.options_edit.toolTip() and "target_size" not in dialog.options_edit.toolTip()
