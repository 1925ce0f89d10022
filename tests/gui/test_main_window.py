"""The main window, driven as a user would: it opens a project, shows frames decoded off the
GUI thread, steps with the keyboard, and undoes edits from Ctrl+Z into the store."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from core.domain import Box, Instance, Skeleton
from core.edits import AddInstance, move_keypoint
from core.project import Project
from core.workflows.videos import add_videos
from gui.app import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window_on(qtbot, tmp_path, tiny_video):
    def make(project_setup=None):
        with Project.create(tmp_path / "p") as project:
            (video,) = add_videos(project, [tiny_video])
            if project_setup:
                project_setup(project, video)
        window = MainWindow(tmp_path / "p")
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()  # window shortcuts fire only in the active window
        qtbot.waitUntil(window.isActiveWindow)
        return window

    return make


def test_builds_without_a_project(qtbot):
    window = MainWindow(None)
    qtbot.addWidget(window)
    assert window.windowTitle() == "Ethoframe"
    assert not window.actions_by_id["edit.undo"].isEnabled()


def test_opens_a_project_and_shows_its_first_frame(qtbot, window_on):
    window = window_on()
    assert window.windowTitle() == "p — Ethoframe"
    assert window.video_list.count() == 1 and window.state.frame_count == 20
    qtbot.waitUntil(lambda: not window.view._pixmap.pixmap().isNull())
    assert window.view._pixmap.pixmap().width() == 64


def test_arrow_keys_step_frames_and_labelled_frames_are_reachable(qtbot, window_on):
    def setup(project, video):
        project.instances.add(Instance(video.id, 12, box=Box(5, 5, 30, 30)))

    window = window_on(setup)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Period)
    assert window.state.frame_index == 2 and window.slider.value() == 2
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.state.frame_index == 1
    window.next_labeled_frame()
    assert window.state.frame_index == 12
    assert len(window.view.instance_items) == 1
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert window.state.frame_index == 19


def test_an_edit_is_drawn_saved_and_undone_with_ctrl_z(qtbot, window_on, tmp_path):
    def setup(project, video):
        project.skeletons.add(Skeleton.from_names("m", ["snout", "tail"], [("snout", "tail")]))

    window = window_on(setup)
    project = window.project
    video_id = window.state.video_id
    skeleton = project.skeletons.find("m")
    added = window.push_edit(AddInstance(Instance(video_id, 0, skeleton_id=skeleton.id, box=Box(2, 2, 40, 40))))
    assert added
    (instance,) = project.instances.on_frame(video_id, 0)
    window.push_edit(move_keypoint(project, instance.id, 0, 10, 12))
    assert len(window.view.instance_items) == 1
    assert window.undo_controller.stack.count() == 2
    qtbot.waitUntil(lambda: not window.view._pixmap.pixmap().isNull())
    window.view.fit()
    window.grab().save(str(tmp_path / "main_window.png"))

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.instances.get(instance.id).keypoints is None
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.instances.on_frame(video_id, 0) == []
    assert window.view.instance_items == []
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(project.instances.on_frame(video_id, 0)) == 1


def test_a_refused_edit_shows_why_and_records_nothing(qtbot, window_on):
    window = window_on()
    bogus = move_keypoint  # an instance without a skeleton cannot take keypoints
    made = window.project.instances.add(Instance(window.state.video_id, 0, box=Box(0, 0, 5, 5)))
    with pytest.raises(Exception):
        bogus(window.project, made.id, 0, 1, 1)
    assert window.undo_controller.stack.count() == 0


def test_a_moved_video_opens_anyway_and_asks_for_it(qtbot, tmp_path, tiny_video):
    with Project.create(tmp_path / "p") as project:
        add_videos(project, [tiny_video])
    moved = shutil.move(tiny_video, tmp_path / "elsewhere.mp4")
    window = MainWindow(tmp_path / "p")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.relink_dialog is not None and window.relink_dialog.isVisible())
    assert "(missing)" in window.video_list.item(0).text()
    assert not window.relink_dialog.relink(1, str(tmp_path / "p" / "project.sqlite"))
    assert "not the same video" in window.relink_dialog.status[1].text()
    assert window.relink_dialog.relink(1, str(moved))
    assert window.project.videos.missing() == []
    assert "(missing)" not in window.video_list.item(0).text()


def test_a_bad_path_gives_a_message_not_a_crash(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("gui.app.QMessageBox.warning", lambda *args: shown.append(args[2]))
    window = MainWindow(tmp_path / "not-a-project")
    qtbot.addWidget(window)
    assert window.project is None and "not an Ethoframe project" in shown[0]
