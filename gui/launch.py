"""The application's entry point: `python -m gui [PROJECT] [--screenshot PNG]` builds the main
window, shows it where this user left it (or filling the screen on a first start), and runs Qt."""

from __future__ import annotations

import argparse
import gc
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pyqtgraph.util.garbage_collector import GarbageCollector

from core.runtime.log_file import setup_logging
from gui.analysis import warm_up
from gui.app import MainWindow


def run(argv: list[str]) -> int:
    """The application: `python -m gui [PROJECT] [--screenshot PNG]`."""
    parser = argparse.ArgumentParser(prog="python -m gui", description="Open the Ethoframe window.")
    parser.add_argument("project", nargs="?", help="a project folder, or a shared project's postgresql:// URL")
    parser.add_argument("--screenshot", metavar="PNG", help="after the first frame is painted, save the screen and quit (smoke tests, bug reports)")
    args = parser.parse_args(argv)
    setup_logging()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Ethoframe")
    collector = collect_garbage_on_the_gui_thread()  # noqa: F841 (its timer runs while the app does)
    warm_up()  # the helper process for long videos' analyses starts while the window is built
    window = MainWindow(args.project)
    gc.freeze()  # what the start made lives as long as the app: left out of every later collection
    if window.window_layout.saved:
        window.show()  # where this user left it
    else:  # a first start: the whole screen (the geometry too: without a window manager, maximised is a no-op)
        screen = window.screen() or QApplication.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.availableGeometry())
        window.showMaximized()
    if args.screenshot:
        window.frame_shown.connect(lambda _index: QTimer.singleShot(500, lambda: _save_screen_and_quit(window, args.screenshot)))
    return app.exec()


def collect_garbage_on_the_gui_thread() -> GarbageCollector:
    """Python's cycle collector runs on whichever thread happens to allocate; on a worker thread
    it could destroy a closed dialog's widgets there, which Qt forbids (a deadlock was seen in
    the tests). pyqtgraph's collector turns automatic collection off and collects on a timer on
    the GUI thread instead (every second, only the generations past their thresholds); what the
    start made is frozen out of the collections, so a full one stays short."""
    return GarbageCollector(interval=1.0)


def _save_screen_and_quit(window: MainWindow, path: str) -> None:
    screen = window.screen() or QApplication.primaryScreen()
    screen.grabWindow(0).save(path)
    QApplication.instance().quit()
