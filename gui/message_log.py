"""Every message the window gave, kept: a status-bar line is gone in seconds (an export's
result, a refused edit, a job that failed), this list keeps the last few hundred with their
time, failures in red, newest first. It is the Messages tab beside the Ethogram."""

from __future__ import annotations

import time

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem

KEPT = 300
FAILURE_WORDS = ("failed", "cannot", "refused", "error")


def is_failure(text: str) -> bool:
    lowered = text.casefold()
    return any(word in lowered for word in FAILURE_WORDS)


class MessageLog(QListWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("messages")
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)

    def add(self, text: str, refused: bool = False) -> None:
        item = QListWidgetItem(f"{time.strftime('%H:%M:%S')}  {text}")
        item.setToolTip(text)
        if refused or is_failure(text):
            item.setForeground(QColor("#c62828"))
        self.insertItem(0, item)
        while self.count() > KEPT:
            self.takeItem(self.count() - 1)

    def texts(self) -> list[str]:
        """The messages, newest first, without their times."""
        return [self.item(row).toolTip() for row in range(self.count())]
