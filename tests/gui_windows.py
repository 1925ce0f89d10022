"""The main window as GUI tests open it: shown, active (keys reach it), on a project folder or
on a small demo world (importable from any test: tests/ is on the path)."""

from __future__ import annotations

from pathlib import Path

from core.demo import WorldConfig
from core.demo.project import create_demo_project
from gui.app import MainWindow


def open_window(qtbot, folder: Path, size: tuple[int, int] | None = (1400, 900)) -> MainWindow:
    window = MainWindow(folder)
    qtbot.addWidget(window)
    if size:
        window.resize(*size)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def demo_window(qtbot, tmp_path: Path) -> MainWindow:
    """A 320x240 demo world of two mice, 3 labelled frames, in the window."""
    config = WorldConfig(width=320, height=240, seconds=2, n_animals=2, seed=5)
    create_demo_project(tmp_path / "demo", config, labeled_frames=3).close()
    return open_window(qtbot, tmp_path / "demo")
