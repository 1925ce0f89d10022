"""The small dialog that defines or edits one ethogram behaviour: name, coding key, colour and
kind. It only checks what the user typed (unique name, one free character as key) and hands
back a `Behaviour`; the ethogram panel turns that into an undoable core edit."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from core.domain import Behaviour


class BehaviourDialog(QDialog):
    """`taken_names`/`taken_keys` belong to the other behaviours; `reserved_keys` are the
    window's own one-key shortcuts, which would never reach the ethogram."""

    def __init__(
        self,
        behaviour: Behaviour | None = None,
        taken_names: Iterable[str] = (),
        taken_keys: Iterable[str] = (),
        reserved_keys: Iterable[str] = (),
        tool_keys: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit behaviour" if behaviour else "New behaviour")
        self._taken_names = {n.casefold() for n in taken_names}
        self._taken_keys = {k.casefold() for k in taken_keys}
        self._reserved = {k.casefold() for k in reserved_keys}
        self._tool_keys = tool_keys or {}
        self._id = behaviour.id if behaviour else None
        self.name_edit = QLineEdit(behaviour.name if behaviour else "")
        self.name_edit.setPlaceholderText("grooming")
        self.key_edit = QLineEdit(behaviour.key or "" if behaviour else "")
        self.key_edit.setMaxLength(1)
        self.key_edit.setPlaceholderText("one key, e.g. g")
        self.color_button = QPushButton()
        self.color_button.clicked.connect(self._choose_color)
        self.kind_box = QComboBox()
        self.kind_box.addItem("State (lasts: start and stop)", "state")
        self.kind_box.addItem("Point (one frame)", "point")
        self.kind_box.setCurrentIndex(1 if behaviour and behaviour.kind == "point" else 0)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c92a2a")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Name", self.name_edit)
        form.addRow("Key", self.key_edit)
        form.addRow("Colour", self.color_button)
        form.addRow("Kind", self.kind_box)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.set_color(behaviour.color if behaviour else "#4363d8")
        self.name_edit.textChanged.connect(self._validate)
        self.key_edit.textChanged.connect(self._validate)
        self._validate()

    def set_color(self, color: str) -> None:
        self.color = QColor(color).name()
        self.color_button.setText(self.color)
        self.color_button.setStyleSheet(f"background-color: {self.color}; color: {_readable_on(self.color)}")

    def behaviour(self) -> Behaviour:
        """What the user defined (with the edited behaviour's id, if any)."""
        key = self.key_edit.text().strip() or None
        return Behaviour(self.name_edit.text().strip(), key, self.color, self.kind_box.currentData(), self._id)

    def problem_text(self) -> str:
        """Why the behaviour cannot be saved as typed, or "" when it can."""
        name, key = self.name_edit.text().strip(), self.key_edit.text().strip()
        if not name:
            return "A behaviour needs a name."
        if name.casefold() in self._taken_names:
            return f"There is already a behaviour called {name!r}."
        if key and len(key) != 1:
            return "The key must be one character."
        if key and key.casefold() in self._taken_keys:
            return f"The key {key!r} already codes another behaviour."
        if key and key.casefold() in self._reserved:
            return f"The key {key!r} is a window shortcut; choose another."
        return ""

    def accept(self) -> None:
        if not self.problem_text():
            super().accept()

    def note_text(self) -> str:
        """What the key will hide, when it is a canvas tool's shortcut (allowed, but said)."""
        key = self.key_edit.text().strip().casefold()
        if key and key in self._tool_keys and not self.problem_text():
            return (f"{key.upper()} is also the shortcut of {self._tool_keys[key]}: while a video is open it codes "
                    "this behaviour instead (the tool stays in the tool bar).")  # fmt: skip
        return ""

    def _validate(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem or self.note_text())
        self.problem.setStyleSheet("color: #c92a2a" if problem else "color: #8a5a00")  # refused, or only said
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def _choose_color(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.color), self, "Behaviour colour")
        if chosen.isValid():
            self.set_color(chosen.name())


def _readable_on(color: str) -> str:
    return "#000000" if QColor(color).lightnessF() > 0.55 else "#ffffff"
