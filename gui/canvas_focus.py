"""Keys belong to the video canvas. A panel adopted here gives the keyboard focus back to the
canvas once the user has used one of its widgets: a choice in a combo box (the Subject box kept
the focus and searched its items with the behaviour keys), a click on a button or a list, and
Escape in any of its widgets. Text fields and spin boxes keep the focus while typed in."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QWidget


def _in_popup(widget: QWidget, panel: QWidget) -> bool:
    """Whether `widget` is part of a combo box's popup (its list and container), not the box."""
    parent = widget.parentWidget()
    while parent is not None and parent is not panel:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


class CanvasFocus(QObject):
    """`CanvasFocus(canvas).adopt(panel)` for every panel whose widgets should not keep the keys."""

    def __init__(self, canvas: QWidget) -> None:
        super().__init__(canvas)
        self.canvas = canvas

    def adopt(self, panel: QWidget) -> None:
        widgets = [panel, *(w for w in panel.findChildren(QWidget) if not _in_popup(w, panel))]
        for widget in widgets:
            widget.installEventFilter(self)
            if isinstance(widget, QComboBox):
                widget.activated.connect(self._give_back_later)
            elif isinstance(widget, QAbstractButton):
                widget.clicked.connect(self._give_back_later)
            elif isinstance(widget, QAbstractItemView):
                widget.clicked.connect(self._give_back_later)

    def give_back(self) -> None:
        self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)

    def _give_back_later(self, *_args) -> None:
        # After the event that chose: a closing combo popup hands the focus back to its box.
        QTimer.singleShot(0, self.give_back)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(watched.parent(), QAbstractItemView):
            if watched is watched.parent().viewport():  # a click on a list or table, on a row or not
                self._give_back_later()
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape and not event.modifiers() and watched is not self.canvas:
                self.give_back()
                return True
        return False
