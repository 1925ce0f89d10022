"""Whole-video analyses (suspects, track runs, review orders, counts) off the GUI thread: a
view asks for its analysis again whenever an edit may have changed it, and gets only the newest
answer.

Requests within `delay_ms` of each other become one run (a burst of edits costs one analysis);
one run at a time; a request made while one runs starts another when it ends, and the older
run's answer is dropped. A failure (the video deleted meanwhile) is reported, not raised.

Small analyses run on a pool thread. A big one (`big=True`: a long video) runs in a helper
process (`core.workflows.analysis_runner`): a second of Python on a thread would compete with
the GUI thread for the interpreter lock, and a drag measured 6 ms a step with no analysis
running but 21 ms while one ran on a thread (bench/bench_gui_edit.py). The process starts on
the first big request and serves every window until the application quits.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from core.project import Project
from core.workflows.analysis_runner import run_on_project
from gui.worker import Worker, run_in_background

BIG_VIDEO_FRAMES = 5000  # a video this long has its analyses run in the helper process
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _process_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        return _pool or _start_pool()


def _start_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        methods = multiprocessing.get_all_start_methods()  # never "fork": this process runs Qt
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if context.get_start_method() == "forkserver":  # its children start with core imported
            context.set_forkserver_preload(["core.workflows.analysis_runner"])
        _pool = ProcessPoolExecutor(max_workers=2, mp_context=context)  # the queue's head beside its whole
        atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
    return _pool


def warm_up() -> None:
    """Start the helper process now, on a thread (a second or so), so that the first long video
    opened finds it ready."""
    threading.Thread(target=lambda: _process_pool().submit(int).result(), daemon=True).start()


class _Relay(QObject):
    """Brings a process's answer (delivered on a pool thread) to the GUI thread."""

    answered = Signal(object)


class LatestAnalysis(QObject):
    ready = Signal(object)  # the newest request's result
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, delay_ms: int = 150) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._start)
        self._relay = _Relay(self)
        self._relay.answered.connect(self._finished)
        self._wanted: tuple[int, Callable[..., Any], Project, tuple, bool] | None = None
        self._asked = 0  # requests made
        self._running = False

    @property
    def busy(self) -> bool:
        """Whether an answer is still to come."""
        return self._wanted is not None or self._running

    def request(self, function: Callable[..., Any], project: Project, *args: Any, now: bool = False, big: bool = False) -> None:
        """Run `function(project, *args)` soon (at once with `now`; in the helper process when
        `big` and the project is a SQLite file), replacing any request not yet answered."""
        self._asked += 1
        self._wanted = (self._asked, function, project, args, big and project.db.is_sqlite)
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
        if self._running or self._wanted is None:
            return  # `_finished` starts the waiting request
        number, function, project, args, in_process = self._wanted
        self._wanted = None
        self._running = True
        if in_process:  # submitted from a thread: the pool's first submit starts its process (0.6 s)
            threading.Thread(target=self._submit, args=(number, str(project.folder), function, args), daemon=True).start()
        else:
            worker = Worker(_numbered, number, function, (project, *args), with_progress=False)
            worker.signals.done.connect(self._finished)  # a bound method: dropped if this view is deleted
            run_in_background(worker)

    def _submit(self, number: int, folder: str, function: Callable[..., Any], args: tuple) -> None:
        """On a plain thread: hand the request to the helper process."""
        try:
            future = _process_pool().submit(run_on_project, folder, function, args)
        except Exception as error:  # noqa: BLE001 - the pool is shut down (quitting), or could not start
            self._relay_answer(number, None, error)
            return
        future.add_done_callback(lambda done: self._relay_answer(number, done))

    def _relay_answer(self, number: int, future: Future | None, failure: BaseException | None = None) -> None:
        """On the pool's thread: hand the answer to the GUI thread (unless the view is gone)."""
        if future is None:
            error = failure
        else:
            error = future.exception() if not future.cancelled() else RuntimeError("cancelled")
        try:
            self._relay.answered.emit((number, None if error else future.result(), error))
        except RuntimeError:  # the view was deleted meanwhile
            pass

    def _finished(self, answer: tuple[int, Any, BaseException | None]) -> None:
        number, result, error = answer
        self._running = False
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
