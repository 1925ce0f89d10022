"""Two labellers, one project, the real window (on SQLite and on a PostgreSQL server): what
the other commits appears on screen within a couple of seconds with who did it, and the window's
undo of an instance the other changed since is refused, said, and the view shows theirs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core.domain import Box, Instance
from core.edits import set_box
from core.project import Project
from core.project.location import open_project
from core.workflows.videos import add_videos

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gui_windows import open_window  # noqa: E402
from video_files import write_test_video  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path) -> str:
    video_path = write_test_video(tmp_path / "v.mp4", frames=20, width=128, height=96)
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_database")
        project = open_project(url, create=True, folder=tmp_path / "ana")
    else:
        project = Project.create(tmp_path / "p")
    with project:
        (video,) = add_videos(project, [video_path])
        project.instances.add(Instance(video.id, 5, box=Box(10, 10, 30, 30)))
        return project.location


@pytest.fixture
def ben(location, monkeypatch):
    monkeypatch.setenv("ETHOFRAME_USER", "ben")
    other = open_project(location)
    monkeypatch.delenv("ETHOFRAME_USER")
    yield other
    other.close()


def test_the_other_labellers_edit_appears_and_a_stale_undo_is_refused(qtbot, location, ben):
    window = open_window(qtbot, location)
    qtbot.waitUntil(lambda: not window.view._pixmap.pixmap().isNull())
    window.state.set_frame(5)
    qtbot.waitUntil(lambda: len(window.view.instance_items) == 1)
    (mine,) = window.project.instances.on_frame(1, 5)

    theirs = ben.instances.add(Instance(1, 5, box=Box(60, 20, 90, 50)))
    qtbot.waitUntil(lambda: len(window.view.instance_items) == 2, timeout=3000)  # no reload asked
    texts = [window.panels.instances.instances.item(i).text() for i in range(window.panels.instances.instances.count())]
    assert any(f"#{theirs.id}" in t and "by ben" in t for t in texts), texts

    assert window.push_edit(set_box(window.project, mine.id, Box(12, 12, 32, 32)))
    ben.instances.update(mine.id, box=Box(40, 40, 70, 70))
    window.undo_controller.undo()
    assert "changed by ben" in window.message_log.texts()[-1]
    assert window.project.instances.get(mine.id).box == Box(40, 40, 70, 70)  # theirs stays
    qtbot.waitUntil(lambda: any(item.instance.box == Box(40, 40, 70, 70) for item in window.view.instance_items), timeout=3000)
    window.close()


def test_file_new_shared_project_asks_for_the_url(qtbot, postgres_database, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from gui.app import MainWindow

    monkeypatch.setenv("ETHOFRAME_FOLDER", str(tmp_path / "mine"))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (postgres_database, True)))
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.actions_by_id["file.new_shared"].trigger()
    assert window.project is not None and window.project.is_shared and window.project.folder == tmp_path / "mine"
    window.close()
