"""The JobRunner bridge with fake jobs (a `python -c` script in place of the CLI): JSON lines
become signals in order, every way a job can end gives exactly one outcome with a reason, and
Stop sends SIGTERM that a well-behaved job answers with a clean cancel."""

from __future__ import annotations

import sys
import textwrap

import pytest

from gui.jobs import JobRunner

pytestmark = pytest.mark.gui


def fake(qtbot, script: str, **kwargs) -> JobRunner:
    runner = JobRunner(**kwargs)
    runner.launcher = [sys.executable, "-c", textwrap.dedent(script)]
    return runner


def outcomes(runner: JobRunner) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    runner.finished.connect(lambda e: seen.append(("finished", e)))
    runner.cancelled.connect(lambda e: seen.append(("cancelled", e)))
    runner.failed.connect(lambda r: seen.append(("failed", r)))
    return seen


def test_lines_become_events_then_finished(qtbot):
    runner = fake(qtbot, """
        import json, sys
        print("not an event")
        for step in range(3):
            print(json.dumps({"event": "step", "step": step + 1, "loss": 1.0 / (step + 1)}), flush=True)
        sys.stdout.write(json.dumps({"event": "finished", "model_id": 7}))  # no final newline
    """)
    events, seen = [], outcomes(runner)
    runner.event.connect(events.append)
    with qtbot.waitSignal(runner.ended, timeout=20000):
        runner.start(["train", "somewhere"])
        assert runner.is_running
    assert [e["event"] for e in events] == ["step", "step", "step", "finished"]
    assert [e["step"] for e in events[:3]] == [1, 2, 3]
    assert seen == [("finished", {"event": "finished", "model_id": 7})]
    assert not runner.is_running
    assert runner.command[-1] == "--events-json"


def test_failed_event_gives_its_reason(qtbot):
    runner = fake(qtbot, """
        import json, sys
        print(json.dumps({"event": "failed", "reason": "out of memory: try a smaller batch size"}))
        sys.exit(1)
    """)
    seen = outcomes(runner)
    with qtbot.waitSignal(runner.ended, timeout=20000):
        runner.start(["train"])
    assert seen == [("failed", "out of memory: try a smaller batch size")]


def test_non_zero_exit_reports_stderr_tail(qtbot):
    runner = fake(qtbot, """
        import sys
        print("ethoframe train: error: there are no labels to train detect on", file=sys.stderr)
        sys.exit(3)
    """)
    seen = outcomes(runner)
    with qtbot.waitSignal(runner.ended, timeout=20000):
        runner.start(["train"])
    ((kind, reason),) = seen
    assert kind == "failed" and "code 3" in reason and "no labels to train detect" in reason


def test_crash_is_a_failure(qtbot):
    runner = fake(qtbot, """
        import os, signal
        os.kill(os.getpid(), signal.SIGSEGV)
    """)
    seen = outcomes(runner)
    with qtbot.waitSignal(runner.ended, timeout=20000):
        runner.start(["train"])
    ((kind, reason),) = seen
    assert kind == "failed" and "crash" in reason


def test_a_program_that_cannot_start(qtbot):
    runner = JobRunner()
    runner.launcher = ["/nonexistent/python-for-ethoframe"]
    seen = outcomes(runner)
    with qtbot.waitSignal(runner.ended, timeout=20000):
        runner.start(["train"])
    ((kind, reason),) = seen
    assert kind == "failed" and reason.startswith("could not start")
    assert not runner.is_running


def test_stop_sends_sigterm_and_the_job_cancels_cleanly(qtbot):
    runner = fake(qtbot, """
        import json, signal, sys, time
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        print(json.dumps({"event": "started"}), flush=True)
        while not stop:
            time.sleep(0.01)
        print(json.dumps({"event": "cancelled", "run_id": 4}), flush=True)
        sys.exit(1)
    """)
    seen = outcomes(runner)
    with qtbot.waitSignal(runner.event, timeout=20000):
        runner.start(["train"])
    with qtbot.waitSignal(runner.ended, timeout=20000):
        runner.stop()
    assert seen == [("cancelled", {"event": "cancelled", "run_id": 4})]


def test_a_job_ignoring_sigterm_is_killed_after_the_grace_period(qtbot):
    runner = fake(qtbot, """
        import json, signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print(json.dumps({"event": "started"}), flush=True)
        time.sleep(60)
    """, grace_ms=300)
    seen = outcomes(runner)
    with qtbot.waitSignal(runner.event, timeout=20000):
        runner.start(["train"])
    with qtbot.waitSignal(runner.ended, timeout=20000):
        runner.stop()
    assert seen == [("cancelled", {"event": "cancelled", "reason": "stopped"})]


def test_one_job_at_a_time(qtbot):
    runner = fake(qtbot, "import time; time.sleep(30)")
    runner.start(["train"])
    with pytest.raises(RuntimeError):
        runner.start(["train"])
    with qtbot.waitSignal(runner.ended, timeout=20000):
        runner.kill()
