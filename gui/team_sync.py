"""Other windows' edits, shown in this one within a moment: a core `ChangeWatcher` (PostgreSQL
LISTEN/NOTIFY, or SQLite's data_version counter) runs on its own thread; each batch of changes
another client committed crosses to the GUI thread as an `ExternalChange` and goes out through
`UndoController.external_change`, which the views' targeted refresh already follows.

A lost server is said once in the status bar (and again when it is back, when the views re-read
everything they show, since notifications sent meanwhile were missed).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from core.edits.external import ExternalChange
from core.project import Project
from core.project.changes import ChangeWatcher
from gui.undo import UndoController


class TeamSync(QObject):
    """Started by the main window for each project it opens; `dispose()` when it closes."""

    arrived = Signal(object)  # ExternalChange, emitted from the watcher thread, received queued
    status = Signal(str)  # "cannot reach ...; retrying", or "" when back

    def __init__(self, project: Project, undo: UndoController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.arrived.connect(undo.external_change.emit)
        self._watcher = ChangeWatcher(project.db, self._from_watcher, self._status_from_watcher)
        self._watcher.start()

    def _from_watcher(self, changes) -> None:  # on the watcher's thread: only emit
        if any(c.client == "reconnected" for c in changes):
            self.arrived.emit(ExternalChange.reload())
        else:
            self.arrived.emit(ExternalChange(tuple(changes)))

    def _status_from_watcher(self, message: str | None) -> None:
        self.status.emit(message or "")

    def dispose(self) -> None:
        self._watcher.stop()


def ask_server_url(parent: QWidget, title: str) -> str | None:
    """A shared project's URL, typed by the user (never a password: libpq finds it in ~/.pgpass)."""
    url, ok = QInputDialog.getText(
        parent, title, "PostgreSQL server and database (password in ~/.pgpass, not here):",
        QLineEdit.EchoMode.Normal, "postgresql://lab-server/mice",
    )  # fmt: skip
    return url.strip() if ok and url.strip() else None
