"""The one way the GUI runs a plain core function off its thread (as superqt's `thread_worker`
does): a `Worker`, a QRunnable on Qt's global pool, whose signals object brings progress, job
events, the result or the error back to the GUI thread. The function never touches a widget.

    worker = Worker(import_file, project, path, fmt)             # called with progress=<callable>
    worker.signals.done.connect(...); worker.signals.failed.connect(...)
    run_in_background(worker)

    Worker(predict, folder, ..., with_progress=False, with_events=True, cancellable=True)
                                       # called with emit=<callable>, cancel=<threading.Event>; stop()

    background = Background(dialog)    # short calls whose newest result alone matters
    background.run(lambda: samples(...), show, show_error, key="samples")

Whatever the caller does meanwhile (closes its dialog, drops its reference), the signals object
is kept until its worker has reported, and a report to an owner that is gone is dropped.
Long jobs that could crash or run out of memory (training, predicting a whole video) do not run
here: they run in a child process (`gui.jobs.job_runner.JobRunner`); whole-video analyses run
on `gui.analysis.LatestAnalysis`, which uses a `Worker` or a helper process.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

_PENDING: set[QObject] = set()  # signals objects whose worker has not reported yet


class WorkerSignals(QObject):
    """Made on the GUI thread, so a worker's emits are queued to slots that run there."""

    progress = Signal(int, int)  # done, total
    event = Signal(dict)  # a job event (started, progress, finished, cancelled), with_events=True
    done = Signal(object)  # the function's result
    failed = Signal(object)  # the exception, with `traceback_text`


class Worker(QRunnable):
    """Calls `function(*args, **kwargs)` on a pool thread, adding `progress=<callable(done,
    total)>` (with_progress), `emit=<callable(event)>` (with_events) and `cancel=<Event>`
    (cancellable: `stop()` sets it)."""

    def __init__(self, function: Callable[..., Any], *args: Any, with_progress: bool = True, with_events: bool = False,
                 cancellable: bool = False, **kwargs: Any) -> None:  # fmt: skip
        super().__init__()
        self.function, self.args, self.kwargs = function, args, kwargs
        self.with_progress, self.with_events = with_progress, with_events
        self.cancel = threading.Event() if cancellable else None
        self.signals = WorkerSignals()

    def stop(self) -> None:
        """Ask the function to stop (it reads `cancel`); what it has done stays done."""
        if self.cancel is not None:
            self.cancel.set()

    def run(self) -> None:
        kwargs = dict(self.kwargs)
        if self.with_progress:
            kwargs["progress"] = lambda done, total: self._emit(self.signals.progress, int(done), int(total))
        if self.with_events:
            kwargs["emit"] = lambda event: self._emit(self.signals.event, event)
        if self.cancel is not None:
            kwargs["cancel"] = self.cancel
        try:
            result = self.function(*self.args, **kwargs)
        except Exception as error:  # delivered to the GUI thread, shown there
            error.traceback_text = traceback.format_exc()
            self._emit(self.signals.failed, error)
        else:
            self._emit(self.signals.done, result)

    @staticmethod
    def _emit(signal, *values: Any) -> None:
        try:
            signal.emit(*values)
        except RuntimeError:  # whoever asked is gone (the window closed while this ran)
            pass


def run_in_background(worker: Worker) -> Worker:
    """Start `worker` (connect its signals first); its signals object is kept until it reports."""
    signals = worker.signals
    _PENDING.add(signals)
    release = lambda *_: QTimer.singleShot(0, lambda: _PENDING.discard(signals))  # noqa: E731 (after the caller's slots)
    signals.done.connect(release)
    signals.failed.connect(release)
    QThreadPool.globalInstance().start(worker)
    return worker


class Background(QObject):
    """Runs short callables (`work()`, no arguments) on workers. Results of a call superseded
    by a newer one with the same `key` are dropped, so a quick double click never shows stale
    samples; so are results reaching an owner (a dialog, a dock) that is gone. `error` gets
    the failure in words."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._live: dict[str, int] = {}
        self._running: set[Worker] = set()

    def run(self, work: Callable[[], Any], done: Callable[[Any], None], error: Callable[[str], None] | None = None,
            key: str = "") -> None:  # fmt: skip
        generation = self._live.get(key, 0) + 1
        self._live[key] = generation
        worker = Worker(work, with_progress=False)

        def deliver(handler: Callable[[Any], None] | None, value: Any) -> None:
            self._running.discard(worker)
            if handler is not None and shiboken6.isValid(self) and self._live.get(key) == generation:
                handler(value)

        worker.signals.done.connect(lambda value: deliver(done, value))
        worker.signals.failed.connect(lambda failure: deliver(error, str(failure) or failure.__class__.__name__))
        self._running.add(worker)
        run_in_background(worker)

    @property
    def busy(self) -> bool:
        return bool(self._running)
