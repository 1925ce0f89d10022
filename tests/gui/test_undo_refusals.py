"""Undo and redo in the window never touch a label the user did not: ids are never handed out
twice, and an undo or redo that fails leaves the stack where it was and says why."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from core.domain import Box, Instance, LabelClass
from core.edits import set_box
from core.interchange import export, import_file
from core.project import Project
from core.workflows.videos import add_videos
from gui_windows import open_window

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot, tmp_path, tiny_video):
    with Project.create(tmp_path / "p") as project:
        (video,) = add_videos(project, [tiny_video])
        mouse = project.label_classes.add(LabelClass("mouse"))
        for k in range(3):
            project.instances.add(Instance(video.id, 2, box=Box(1 + 10 * k, 1, 8 + 10 * k, 9), class_id=mouse.id))
        export(project, tmp_path / "labels.json", "coco", what="labels")  # a file to import later
    return open_window(qtbot, tmp_path / "p")


def _boxes(project: Project, video_id: int) -> dict[int, Box]:
    return {i.id: i.box for i in project.instances.on_frame(video_id, 2)}


def test_delete_import_undo_redo_never_deletes_an_imported_label(qtbot, window, tmp_path):
    project, video_id = window.project, window.state.video_id
    window.state.set_frame(2)
    newest = max(_boxes(project, video_id))
    window.state.select(newest)
    qtbot.keyClick(window, Qt.Key.Key_Delete)
    assert newest not in _boxes(project, video_id)

    import_file(project, tmp_path / "labels.json")  # what the Import dialog does, on the same project
    imported = set(_boxes(project, video_id)) - {1, 2}
    assert len(imported) == 3 and newest not in imported  # the freed id went to nobody

    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    after_undo = _boxes(project, video_id)
    assert newest in after_undo and imported <= set(after_undo) and len(after_undo) == 6
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)
    after_redo = _boxes(project, video_id)
    assert newest not in after_redo and imported <= set(after_redo) and len(after_redo) == 5


def test_a_failed_undo_leaves_the_stack_where_it_was_and_says_why(qtbot, window):
    project, video_id = window.project, window.state.video_id
    target = min(_boxes(project, video_id))
    assert window.push_edit(set_box(project, target, Box(2, 2, 12, 12)))
    with Project.open(project.folder) as other:  # another writer removes the label meanwhile
        removed = other.instances.delete(target)
    stack = window.undo_controller.stack
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert stack.index() == 1 and stack.canUndo() and not stack.canRedo()
    assert "Could not undo" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)  # nothing to redo: nothing happens
    assert target not in _boxes(project, video_id)

    with Project.open(project.folder) as other:  # the label comes back: now the undo works
        other.instances.add(removed)
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert stack.index() == 0 and project.instances.get(target).box == Box(1, 1, 8, 9)
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stack.index() == 1 and project.instances.get(target).box == Box(2, 2, 12, 12)


def test_a_failed_move_from_the_history_view_is_put_back(qtbot, window):
    project, video_id = window.project, window.state.video_id
    first, second = sorted(_boxes(project, video_id))[:2]
    window.push_edit(set_box(project, first, Box(3, 3, 13, 13)))
    window.push_edit(set_box(project, second, Box(4, 4, 14, 14)))
    with Project.open(project.folder) as other:
        other.instances.delete(first)
    stack = window.undo_controller.stack
    QUndoStack.setIndex(stack, 0)  # what clicking "<empty>" in the History view does, from C++
    qtbot.waitUntil(lambda: stack.index() == 1)  # the second was undone, the first could not be
    assert project.instances.get(second).box == Box(11, 1, 18, 9)
    assert "Could not undo" in window.statusBar().currentMessage()
