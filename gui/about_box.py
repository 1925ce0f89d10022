"""Help > About: the version, and where the log file is, for a bug report. The box opens
window-modal without blocking (`open`, not `exec`), so a test's walk through the menus goes on."""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from core.runtime.log_file import active_log_path, log_path


def about_text() -> str:
    try:
        version = metadata.version("ethoframe")
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        version = "(not installed)"
    active = active_log_path()
    where = str(active) if active is not None else f"{log_path()} (cannot be written: no log is kept)"
    return (
        f"Ethoframe {version}\n"
        "Label lab videos, fine-tune pretrained CNNs and review predictions, in one desktop app.\n\n"
        f"Log file (attach it to a bug report):\n{where}\n\n"
        f"Python {platform.python_version()}, PySide6 {pyside_version}"
    )


def show_about(parent: QWidget) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "About Ethoframe", about_text(), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("about_box")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the path can be copied
    box.open()
    return box
