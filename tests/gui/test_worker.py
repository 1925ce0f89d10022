"""The GUI's one background-worker pattern (`gui.worker`): results, events, cancel and errors
come back on the GUI thread; a superseded `Background` call is dropped; a worker whose caller
dropped it still reports."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject, QThread

from gui.worker import Background, Worker, run_in_background

pytestmark = pytest.mark.gui


def test_a_worker_brings_events_and_its_result_to_the_gui_thread(qtbot):
    gui_thread = QThread.currentThread()
    seen: list = []

    def job(n: int, emit, cancel) -> int:
        for i in range(n):
            emit({"event": "progress", "done": i + 1})
        return n * 10

    worker = Worker(job, 3, with_progress=False, with_events=True, cancellable=True)
    worker.signals.event.connect(lambda event: seen.append((event["done"], QThread.currentThread() is gui_thread)))
    with qtbot.waitSignal(worker.signals.done, timeout=5000) as done:
        run_in_background(worker)
    assert done.args == [30]
    assert seen == [(1, True), (2, True), (3, True)]


def test_stop_reaches_the_function_and_a_failure_comes_with_its_traceback(qtbot):
    started = threading.Event()

    def job(emit, cancel) -> None:
        started.set()
        if not cancel.wait(5):
            raise AssertionError("never asked to stop")
        raise RuntimeError("stopped on request")

    worker = Worker(job, with_progress=False, with_events=True, cancellable=True)
    with qtbot.waitSignal(worker.signals.failed, timeout=5000) as failed:
        run_in_background(worker)
        assert started.wait(5)
        worker.stop()
    error = failed.args[0]
    assert str(error) == "stopped on request" and "RuntimeError" in error.traceback_text


def test_a_worker_nobody_keeps_still_reports(qtbot):
    results: list = []

    class Owner(QObject):
        def take(self, value) -> None:
            results.append(value)

    owner = Owner()
    worker = Worker(lambda progress: 7)
    worker.signals.done.connect(owner.take)
    run_in_background(worker)
    del worker  # the caller keeps nothing: the pending set does
    qtbot.waitUntil(lambda: results == [7], timeout=5000)


def test_background_drops_a_result_a_newer_call_superseded(qtbot):
    background = Background()
    release_first = threading.Event()
    shown: list = []
    background.run(lambda: (release_first.wait(5), "old")[1], shown.append, key="samples")
    background.run(lambda: "new", shown.append, key="samples")
    qtbot.waitUntil(lambda: shown == ["new"], timeout=5000)
    release_first.set()
    qtbot.waitUntil(lambda: not background.busy, timeout=5000)
    assert shown == ["new"]


def test_background_reports_a_failure_in_words(qtbot):
    background = Background()
    errors: list = []
    background.run(lambda: 1 / 0, lambda _v: None, errors.append)
    qtbot.waitUntil(lambda: errors == ["division by zero"], timeout=5000)


def test_the_app_collects_garbage_on_the_gui_thread_only(qtbot):
    import gc

    from gui.launch import collect_garbage_on_the_gui_thread

    assert gc.isenabled()
    collector = collect_garbage_on_the_gui_thread()
    try:
        assert not gc.isenabled()  # no collection on whichever thread allocates
        assert collector.timer.isActive() and collector.timer.thread() is QThread.currentThread()
    finally:
        collector.timer.stop()
        gc.enable()
