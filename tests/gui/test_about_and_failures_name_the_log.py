"""Help > About names the log file (through its real QAction, without blocking), and so does a
training failure's message in the window."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from core.runtime.log_file import setup_logging, shutdown_logging
from gui.app import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.setenv("ETHOFRAME_LOG_DIR", str(tmp_path / "logs"))
    yield setup_logging()  # as gui.launch.run does
    shutdown_logging()


@pytest.fixture
def window(qtbot):
    main = MainWindow(None)
    qtbot.addWidget(main)
    main.show()
    return main


def help_action(window, text: str):
    """The action in the window's Help menu (its QMenu as the window keeps it: with PySide6 6.6
    the wrapper `QAction.menu()` returns is deleted at once)."""
    (action,) = [a for a in window.menus["&Help"].actions() if a.text() == text]
    return action


def test_help_about_shows_the_log_file(qtbot, window, log):
    help_action(window, "&About Ethoframe").trigger()  # returns at once: the box does not block
    box = window.findChild(QMessageBox, "about_box")
    qtbot.waitUntil(box.isVisible)
    assert str(log) in box.text() and box.text().startswith("Ethoframe ")
    box.reject()
    qtbot.waitUntil(lambda: not box.isVisible())


def test_a_training_failure_names_the_log_file(qtbot, window, log):
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    window.training.runner.failed.emit("the job crashed (SIGKILL)")  # no word from the job: the window adds the path
    assert any(m.startswith("training failed: the job crashed (SIGKILL)") and f"(details in {log})" in m for m in shown), shown
    assert "training failed: the job crashed" in log.read_text()
