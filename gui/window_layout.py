"""The window's layout as users keep it: docks with sizes that leave the video most of the room,
the arrangement and geometry saved per user (QSettings) and restored on the next start, every
dock listed in View (a closed dock comes back from the menu, not a hidden right-click), and
View > Reset Layout back to the arrangement the window was built with."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from gui.shortcuts import settings

GROUP = "window"
# (min, max) width of the side docks and (min, max) height of the bottom ones, in pixels: the
# side panels never take more than a third of a 1600-px screen, the timeline never the video's room.
SIDE_WIDTH = (220, 520)
BOTTOM_HEIGHT = {"Timeline": (110, 420), "Training": (260, 520)}


class WindowLayout:
    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget], view_menu: QMenu) -> None:
        self.window, self.docks = window, docks
        for name, dock in docks.items():
            widget = dock.widget()
            if name in BOTTOM_HEIGHT:
                low, high = BOTTOM_HEIGHT[name]
                dock.setMinimumHeight(low)
                dock.setMaximumHeight(high)
            elif widget is not None:
                dock.setMinimumWidth(SIDE_WIDTH[0] if name != "Videos" else 120)  # a list of names
                dock.setMaximumWidth(SIDE_WIDTH[1])
        view_menu.addSeparator()
        panels = view_menu.addMenu("&Panels")
        panels.setObjectName("menu_panels")
        for name, dock in docks.items():
            toggle = dock.toggleViewAction()
            toggle.setObjectName(f"action_show_{name.lower()}")
            panels.addAction(toggle)
        self.default_state = window.saveState()

    @property
    def saved(self) -> bool:
        store = settings()
        return store.contains(f"{GROUP}/geometry")

    def restore(self) -> bool:
        """Put back the layout and geometry this user left; False on a first start."""
        store = settings()
        geometry, state = store.value(f"{GROUP}/geometry"), store.value(f"{GROUP}/state")
        if not isinstance(geometry, QByteArray) or not isinstance(state, QByteArray):
            return False
        return bool(self.window.restoreGeometry(geometry) and self.window.restoreState(state))

    def save(self) -> None:
        store = settings()
        store.setValue(f"{GROUP}/geometry", self.window.saveGeometry())
        store.setValue(f"{GROUP}/state", self.window.saveState())

    def reset(self) -> None:
        """The arrangement the window was built with, and every dock it showed back in view."""
        self.window.restoreState(self.default_state)
        for name, dock in self.docks.items():
            if name != "Training" and not dock.isFloating():
                dock.show()
        self.docks["Training"].hide()  # it appears when training starts
        screen = self.window.screen()
        if screen is not None and not self.window.isMaximized():
            self.window.setGeometry(screen.availableGeometry())
        self.window.setWindowState(self.window.windowState() | Qt.WindowState.WindowMaximized)
