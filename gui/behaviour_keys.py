"""Which key codes which behaviour, and the filter that brings a typed key to the ethogram
wherever the focus is in the window (a list's type-ahead search would otherwise eat letters).

The rule (`key_bindings`):
  1. a behaviour's own key, as typed (a letter also matches in the other case when no
     behaviour owns that exact case);
  2. the digits 1-9 also code the first nine behaviours in ethogram order (1 the first),
     unless some behaviour has that digit as its own key: an explicit key always wins.
Keys that are the window's own one-key shortcuts (`reserved_keys`, e.g. "." and ",") are
refused as behaviour keys. The canvas tools' one-letter shortcuts are not: a behaviour key wins
over them (`BehaviourKeyFilter` claims it before the shortcut fires).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from core.domain import Behaviour
from gui.actions import ACTIONS

TEXT_INPUTS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QComboBox)


def tool_keys() -> dict[str, str]:
    """The canvas tools' one-letter shortcuts (lower case) and what they do: a behaviour may
    take one (it wins while a video is open), and the behaviour dialog says what it hides."""
    from gui.canvas.tools import CANVAS_COMMANDS, TOOLS  # the tools know nothing of behaviours

    named = [(spec.shortcut, f"the {spec.name} tool") for spec in TOOLS]
    named += [(command.shortcut, command.text) for command in CANVAS_COMMANDS]
    return {key.casefold(): name for key, name in named if len(key) == 1}


def reserved_keys() -> set[str]:
    """One-character window shortcuts (e.g. '.' and ','): they never reach the ethogram."""
    return {s.casefold() for spec in ACTIONS for s in spec.shortcuts if len(s) == 1}


def key_bindings(behaviours: Sequence[Behaviour]) -> dict[str, Behaviour]:
    """Every key that codes a behaviour (see the module docstring for the rule)."""
    bindings = {b.key: b for b in behaviours if b.key}
    for index, behaviour in enumerate(behaviours[:9]):
        bindings.setdefault(str(index + 1), behaviour)
    return bindings


def behaviour_for_key(behaviours: Sequence[Behaviour], text: str) -> Behaviour | None:
    if not text:
        return None
    bindings = key_bindings(behaviours)
    if text in bindings:
        return bindings[text]
    return next((b for k, b in bindings.items() if k.casefold() == text.casefold()), None)


def is_plain_key(event: QKeyEvent) -> bool:
    """Typed without Ctrl/Alt/Meta (Shift and the keypad are fine), and not auto-repeated: a
    held key must not start and stop a behaviour thirty times a second."""
    extra = event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier)
    return not extra and not event.isAutoRepeat() and bool(event.text())


class BehaviourKeyFilter(QObject):
    """Installed on the application, routes plain key presses aimed anywhere inside `window`
    to `handle_key` (e.g. `EthogramPanel.handle_key`) before the focused widget sees them,
    except while typing in a text field or when a dialog is in front."""

    def __init__(
        self, window: QWidget, handle_key: Callable[[str], bool], claims_key: Callable[[str], bool] = lambda _t: False
    ) -> None:
        super().__init__(window)
        self.window, self.handle_key, self.claims_key = window, handle_key, claims_key

    def install(self) -> BehaviourKeyFilter:
        QApplication.instance().installEventFilter(self)
        self.window.destroyed.connect(self.uninstall)
        return self

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self.window or isinstance(watched, TEXT_INPUTS) or not is_plain_key(event):
            return False
        if kind == QEvent.Type.ShortcutOverride:
            # A behaviour's key beats a one-letter tool shortcut: while coding, "b" for "bite"
            # must code the bite, not switch to the box tool (the tool bar still has it).
            if self.claims_key(event.text()):
                event.accept()
            return False
        return self.handle_key(event.text())
