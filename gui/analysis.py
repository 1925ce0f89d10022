"""Whole-video analyses (suspects, track runs, review orders) off the GUI thread: a view asks
for its analysis again whenever an edit may have changed it, and gets only the newest answer.

Requests within `delay_ms` of each other become one run (a burst of edits costs one analysis);
one run at a time; a request made while one runs starts another when it ends, and the older
run's answer is dropped. The function gets plain arguments and never touches a widget; a
failure (the video deleted meanwhile) is reported, not raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from gui.worker import Worker, run_in_background


class LatestAnalysis(QObject):
    ready = Signal(object)  # the newest request's result
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, delay_ms: int = 150) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._start)
        self._wanted: tuple[int, Callable[..., Any], tuple] | None = None
        self._asked = 0  # requests made
        self._running: Worker | None = None

    @property
    def busy(self) -> bool:
        """Whether an answer is still to come."""
        return self._wanted is not None or self._running is not None

    def request(self, function: Callable[..., Any], *args: Any, now: bool = False) -> None:
        """Run `function(*args)` soon (at once with `now`), replacing any request not yet answered."""
        self._asked += 1
        self._wanted = (self._asked, function, args)
        if now:
            self._timer.stop()
            self._start()
        else:
            self._timer.start()

    def cancel(self) -> None:
        """Forget what was asked: no answer will come for it."""
        self._asked += 1
        self._wanted = None
        self._timer.stop()

    def _start(self) -> None:
        if self._running is not None or self._wanted is None:
            return  # `_finished` starts the waiting request
        number, function, args = self._wanted
        self._wanted = None
        worker = Worker(_numbered, number, function, args, with_progress=False)
        worker.signals.done.connect(self._finished)  # a bound method: dropped if this view is deleted
        self._running = run_in_background(worker)

    def _finished(self, answer: tuple[int, Any, Exception | None]) -> None:
        number, result, error = answer
        self._running = None
        if number == self._asked:  # nothing newer was asked meanwhile
            if error is None:
                self.ready.emit(result)
            else:
                self.failed.emit(str(error))
        elif self._wanted is not None and not self._timer.isActive():
            self._start()


def _numbered(number: int, function: Callable[..., Any], args: tuple) -> tuple[int, Any, Exception | None]:
    """`function(*args)` with the request's number; an error is an answer too (on this thread)."""
    try:
        return number, function(*args), None
    except Exception as error:  # noqa: BLE001 - handed to the GUI thread, shown there
        return number, None, error
