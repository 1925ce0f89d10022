"""Run a plain core function off the GUI thread (as superqt's thread_worker does): a QRunnable
on the global pool, with a signals object that brings progress, the result or the error back
to the GUI thread. The function never touches a widget."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class WorkerSignals(QObject):
    progress = Signal(int, int)  # done, total
    done = Signal(object)  # the function's result
    failed = Signal(object)  # the exception


class Worker(QRunnable):
    """Calls `function(*args, progress=<callable>, **kwargs)` on a pool thread."""

    def __init__(self, function: Callable[..., Any], *args: Any, with_progress: bool = True, **kwargs: Any) -> None:
        super().__init__()
        self.function, self.args, self.kwargs = function, args, kwargs
        self.with_progress = with_progress
        self.signals = WorkerSignals()

    def run(self) -> None:
        try:
            if self.with_progress:
                self.kwargs["progress"] = lambda done, total: self.signals.progress.emit(int(done), int(total))
            result = self.function(*self.args, **self.kwargs)
        except Exception as error:  # delivered to the GUI thread, shown there
            error.traceback_text = traceback.format_exc()
            self._emit(self.signals.failed, error)
            return
        self._emit(self.signals.done, result)

    @staticmethod
    def _emit(signal, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # whoever asked is gone (the window closed while this ran)
            pass


def run_in_background(worker: Worker) -> Worker:
    QThreadPool.globalInstance().start(worker)
    return worker
