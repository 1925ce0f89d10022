"""The Train dialog: one click on Train gives a sensible command line, tasks the labels cannot
train are disabled with the reason, presets and exact durations, and the augmentation preview
grid fills with samples computed off the GUI thread. A screenshot goes to /tmp/train_dialog.png."""

from __future__ import annotations

import pytest

from core.demo import WorldConfig
from core.domain import Box, Instance, Video
from core.project import Project
from core.demo.project import create_demo_project
from gui.training.train_dialog import TrainDialog, parse_options

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dialog") / "demo"
    create_demo_project(folder, WorldConfig(width=320, height=240, seconds=2, n_animals=2, seed=5), labeled_frames=3).close()
    return folder


def test_defaults_are_one_click(qtbot, demo):
    with Project.open(demo) as project:
        dialog = TrainDialog(project)
        qtbot.addWidget(dialog)
        assert dialog.ok_button.isEnabled()
        args = dialog.arguments()
        assert args[:2] == ["--task", "pose"] and args[2:4] == ["--backbone", "efficientnet_lite0"]
        assert args[4:] == ["--minutes", "2"]
        dialog.preset_box.setCurrentIndex(1)
        assert dialog.arguments()[-2:] == ["--minutes", "10"]
        dialog.set_duration(3, "epochs")
        assert dialog.arguments()[-2:] == ["--epochs", "3"] and dialog.preset_box.currentText() == "Custom"
        dialog.options_edit.setText('target_size=48 augment={"hflip":0}')
        assert dialog.arguments()[-4:] == ["--option", "target_size=48", "--option", 'augment={"hflip":0}']
        assert "(offline, for GPUs)" in dialog.backbone_box.itemText(1)
        assert "(needs download)" in dialog.backbone_box.itemText(dialog.backbone_box.findData("resnet18"))


def test_last_task_is_preselected_and_augmented_samples_are_drawn(qtbot, demo):
    with Project.open(demo) as project:
        dialog = TrainDialog(project, last_task="segment")
        qtbot.addWidget(dialog)
        dialog.resize(640, 560)
        dialog.show()
        assert dialog.task == "segment"
        qtbot.waitUntil(lambda: len(dialog.grid.labels) == 6, timeout=120_000)
        assert not dialog.grid.labels[0].pixmap().isNull()
        dialog.grab().save("/tmp/train_dialog.png")
        dialog.task_box.setCurrentIndex(1)  # detect
        qtbot.waitUntil(lambda: len(dialog.grid.labels) == 6 and dialog.task == "detect", timeout=120_000)


def test_tasks_without_labels_are_disabled_with_the_reason(qtbot, tmp_path):
    with Project.create(tmp_path / "boxes") as project:
        video = project.videos.add(Video("/data/arena.mp4", 30, 30.0, 64, 48, "f" * 64))
        project.instances.add(Instance(video.id, 0, box=Box(1, 1, 10, 10)))
        dialog = TrainDialog(project)
        qtbot.addWidget(dialog)
        items = dialog.task_box.model()
        pose, detect, segment = (items.item(i) for i in range(3))
        assert detect.isEnabled() and not pose.isEnabled() and not segment.isEnabled()
        assert "keypoint" in pose.toolTip() and "mask" in segment.toolTip()
        assert dialog.task == "detect"


def test_nothing_to_train_disables_ok(qtbot, tmp_path):
    with Project.create(tmp_path / "empty") as project:
        dialog = TrainDialog(project)
        qtbot.addWidget(dialog)
        assert not dialog.ok_button.isEnabled() and dialog.task is None
        assert "label" in dialog.grid.message.text()


def test_parse_options():
    assert parse_options('a=1 b=x c={"k": 2}') == {"a": 1, "b": "x", "c": {"k": 2}}
    with pytest.raises(ValueError):
        parse_options("novalue")


def test_the_behaviour_task_shows_what_the_coded_events_hold_and_their_problems(qtbot, demo, tmp_path):
    import shutil

    from core.domain import BehaviourEvent

    folder = tmp_path / "copy"
    shutil.copytree(demo, folder)
    with Project.open(folder) as project:
        video = project.videos.all()[0]
        walk, rest = (next(b for b in project.behaviours.all() if b.name == name) for name in ("walk", "rest"))
        project.events.add_many([BehaviourEvent(video.id, walk.id, 0, 19, None), BehaviourEvent(video.id, rest.id, 20, 39, None),
                                 BehaviourEvent(video.id, walk.id, video.frame_count - 2, video.frame_count + 50, None)])  # the last runs past the end
        dialog = TrainDialog(project, last_task="behaviour")
        qtbot.addWidget(dialog)
        assert dialog.task == "behaviour"
        dialog.refresh_preview()
        text = dialog.grid.message.text()
        assert "coded frames of" in text and "mutually exclusive" in text
        assert "Warning:" in text and "cut at its last frame" in text
        assert dialog.ok_button.isEnabled() and dialog.arguments()[:2] == ["--task", "behaviour"]
        dialog.resize(640, 560)
        dialog.grab().save("/tmp/behaviour_dialog.png")
