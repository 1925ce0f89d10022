"""Every action in the menus (and the tool bar) of the real main window, triggered through its
QAction with the demo project open, as a user clicking through the menus would: none raises,
none reports a failure (status bar, message box), and the project is still readable after."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog, QMessageBox

from core.demo import WorldConfig
from core.demo.project import create_demo_project
from gui.app import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.slow]

# Left out, and why:
#   file.quit  closes the window under the test (closing is covered by the window's own tests).
# Everything else runs: Track This Video is a worker that takes well under a second on this
# two-second demo (the walk waits for it); Train and Predict only open their dialogs, which the
# walk closes without starting a job; Play is stopped after its trigger.
SKIPPED = {"action_quit"}
FAILURE = re.compile(r"fail|error|cannot|could not|must|traceback|exception", re.IGNORECASE)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    config = WorldConfig(width=320, height=240, seconds=2, n_animals=2, seed=5)
    create_demo_project(tmp_path / "demo", config, labeled_frames=3).close()
    main = MainWindow(tmp_path / "demo")
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: not main.view._pixmap.pixmap().isNull())
    return main


@pytest.fixture
def reports(monkeypatch):
    """Blocking dialogs answer at once (cancelled); message boxes are recorded as reports."""
    boxes: list[str] = []
    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda _parent, title, text, *a, **k: boxes.append(f"{title}: {text}") or QMessageBox.StandardButton.No))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([], "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("", False)))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))
    return boxes


def menu_actions(window) -> list[QAction]:
    """Every action reachable from the menu bar, submenus included, in menu order."""
    found, menus = [], [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    while menus:
        menu = menus.pop(0)
        for action in menu.actions():
            if action.menu() is not None:
                menus.append(action.menu())
            elif not action.isSeparator():
                found.append(action)
    return found


def select_a_tracked_instance(window) -> None:
    """Put the window where the edit actions have something to act on: a labelled frame with a
    selected instance that has a track."""
    video = window.state.video_id
    frames = [frame for _video, frame in window.project.instances.labeled_frames(video)]
    frame = frames[0] if frames else 0
    window.state.set_frame(frame)
    tracked = [i for i in window.project.instances.on_frame(video, frame, source="user") if i.track_id is not None]
    window.state.select(tracked[0].id if tracked else None)


def close_dialogs() -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()


def test_every_menu_and_tool_bar_action_runs_without_a_failure(qtbot, window, reports):
    actions = [a for a in menu_actions(window) + window.tool_bar.actions() if not a.isSeparator()]
    names = {a.objectName() for a in actions}
    assert {"action_track_video", "action_review_next", "action_train", "action_undo", "tool_box"} <= names
    messages: list[str] = []
    window.statusBar().messageChanged.connect(lambda text: messages.append(text) if text else None)
    tracked: list[object] = []
    window.tracks.tracked.connect(tracked.append)
    walked = []
    for action in actions:
        name = action.objectName() or action.text()
        if name in SKIPPED:
            continue
        assert action.isEnabled(), f"{name} is disabled with a project open"
        select_a_tracked_instance(window)
        messages.clear()
        reports.clear()
        with qtbot.captureExceptions() as exceptions:
            action.trigger()
            if name == "action_track_video":
                qtbot.waitUntil(lambda: bool(tracked) or any(FAILURE.search(m) for m in messages), timeout=30_000)
            qtbot.wait(20)
            close_dialogs()
            window.playback.stop()
        assert not exceptions, f"{name} raised: {exceptions[0][1]!r}"
        assert not reports, f"{name} reported: {reports}"
        failures = [m for m in messages if FAILURE.search(m)]
        assert not failures, f"{name} reported: {failures}"
        walked.append(name)
    assert len(walked) == len(actions) - len(SKIPPED & names)
    assert window.project.counts().videos == 1  # the store survived the walk
