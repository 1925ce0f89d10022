"""Short core calls (decoding a few frames, augmenting a few samples) run off the GUI thread on
Qt's thread pool, their result delivered back on the GUI thread, as superqt's `thread_worker`
does. The worker never touches a widget: it only returns a value or raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

_PENDING: set[QObject] = set()  # signal objects whose worker has not reported yet


class _Signals(QObject):
    """Made on the GUI thread: a worker's emit is queued to its slots, which run there."""

    done = Signal(object)
    error = Signal(str)

    def __init__(self, deliver: Callable[[str, Any], None]) -> None:
        super().__init__()
        self._deliver = deliver
        self.done.connect(self._on_done)
        self.error.connect(self._on_error)

    @Slot(object)
    def _on_done(self, value: Any) -> None:
        self._deliver("done", value)

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self._deliver("error", message)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.work, self.signals = work, signals

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as error:  # noqa: BLE001 - any failure is reported to the GUI thread, which shows it
            kind, value = "error", str(error) or error.__class__.__name__
        else:
            kind, value = "done", result
        try:
            (self.signals.error if kind == "error" else self.signals.done).emit(value)
        except RuntimeError:  # the application is tearing down: nobody is waiting for this result
            pass


class Background(QObject):
    """Runs callables on the global thread pool. Results of a call superseded by a newer one
    with the same `key` are dropped, so a quick double click never shows stale samples."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._live: dict[str, int] = {}
        self._signals: set[_Signals] = set()

    def run(self, work: Callable[[], Any], done: Callable[[Any], None], error: Callable[[str], None] | None = None,
            key: str = "") -> None:  # fmt: skip
        generation = self._live.get(key, 0) + 1
        self._live[key] = generation
        signals: _Signals

        def deliver(kind: str, value: Any) -> None:
            self._signals.discard(signals)
            _PENDING.discard(signals)
            handler = done if kind == "done" else error
            # The owner (a dialog, a dock) may be gone by now; then the result is dropped.
            if handler is not None and shiboken6.isValid(self) and self._live.get(key) == generation:
                handler(value)

        # No Qt parent: the pending set and the task hold it until its result is delivered,
        # whatever happens to this object (a closed dialog) meanwhile.
        signals = _Signals(deliver)
        self._signals.add(signals)
        _PENDING.add(signals)
        QThreadPool.globalInstance().start(_Task(work, signals))

    @property
    def busy(self) -> bool:
        return bool(self._signals)
