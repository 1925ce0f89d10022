"""Keyboard shortcuts the user can change, and the cheat sheet. Changes are kept in QSettings
(per user, across projects); the defaults live in the actions table (gui/actions.py)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from gui.actions import ACTIONS, ActionSpec

SETTINGS_GROUP = "shortcuts"


def settings() -> QSettings:
    return QSettings("Ethoframe", "Ethoframe")


def load_overrides() -> dict[str, str]:
    store = settings()
    store.beginGroup(SETTINGS_GROUP)
    overrides = {key: str(store.value(key)) for key in store.childKeys()}
    store.endGroup()
    return overrides


def save_overrides(overrides: dict[str, str]) -> None:
    store = settings()
    store.beginGroup(SETTINGS_GROUP)
    store.remove("")
    for action_id, sequence in overrides.items():
        store.setValue(action_id, sequence)
    store.endGroup()


def apply_shortcuts(actions: dict[str, QAction], overrides: dict[str, str]) -> None:
    """Give each action its user's shortcut if set, else its default(s)."""
    for spec in ACTIONS:
        action = actions.get(spec.id)
        if action is None:
            continue
        if spec.id in overrides:
            action.setShortcuts([QKeySequence(overrides[spec.id])] if overrides[spec.id] else [])
        else:
            action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])


def shortcut_text(action: QAction) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())


class ShortcutsDialog(QDialog):
    """A table of every action with an editable key; OK saves and applies."""

    def __init__(self, actions: dict[str, QAction], extra_rows: list[tuple[str, str]] = (), editable: bool = True, parent=None):
        super().__init__(parent)
        self.actions = actions
        self.setWindowTitle("Keyboard shortcuts" if editable else "Keyboard cheat sheet")
        self.resize(560, 640)
        specs: list[ActionSpec] = [s for s in ACTIONS if s.id in actions]
        self.table = QTableWidget(len(specs) + len(extra_rows), 3)
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Shortcut"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.editors: dict[str, QKeySequenceEdit] = {}
        for row, spec in enumerate(specs):
            self.table.setItem(row, 0, QTableWidgetItem(spec.menu.replace("&", "")))
            self.table.setItem(row, 1, QTableWidgetItem(spec.text.replace("&", "").rstrip("…")))
            if editable:
                editor = QKeySequenceEdit(actions[spec.id].shortcut())
                self.editors[spec.id] = editor
                self.table.setCellWidget(row, 2, editor)
            else:
                self.table.setItem(row, 2, QTableWidgetItem(shortcut_text(actions[spec.id])))
        for offset, (what, key) in enumerate(extra_rows):
            row = len(specs) + offset
            self.table.setItem(row, 0, QTableWidgetItem("Coding"))
            self.table.setItem(row, 1, QTableWidgetItem(what))
            self.table.setItem(row, 2, QTableWidgetItem(key))
        layout = QVBoxLayout(self)
        if editable:
            layout.addWidget(QLabel("Click a shortcut and press the new keys. Changes are kept for all projects."))
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            if editable
            else QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def overrides(self) -> dict[str, str]:
        """The shortcuts that differ from the defaults, as the dialog now shows them."""
        defaults = {s.id: (s.shortcuts[0] if s.shortcuts else "") for s in ACTIONS}
        portable = QKeySequence.SequenceFormat.PortableText
        chosen = {}
        for action_id, editor in self.editors.items():
            text = editor.keySequence().toString(portable)
            if text != QKeySequence(defaults[action_id]).toString(portable):
                chosen[action_id] = text
        return chosen

    def accept(self) -> None:
        overrides = {**load_overrides(), **self.overrides()}
        save_overrides(overrides)
        apply_shortcuts(self.actions, overrides)
        super().accept()
