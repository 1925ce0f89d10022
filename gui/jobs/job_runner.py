"""The Qt bridge to a background job: runs `python -m core.cli.main <command> ... --events-json`
as a `QProcess`, turns its JSON-line events (`core.ml.events`) into signals on the GUI thread,
and stops it cleanly (SIGTERM: the job finishes its step or batch and saves), killing it only
after a grace period. Nothing here blocks the event loop: output arrives through
`readyReadStandardOutput`, the end through `finished`.

    runner = JobRunner(parent)
    runner.event.connect(on_event)          # every event, as a dict
    runner.finished.connect(on_finished)    # the "finished" event
    runner.cancelled.connect(on_cancelled)  # the "cancelled" event (or a stop with none)
    runner.failed.connect(show_reason)      # a "failed" event, a crash, a non-zero exit, no start
    runner.start(["train", folder, "--task", "detect", "--minutes", "2"])
    runner.stop()

Exactly one of finished, cancelled or failed is emitted per started job, once the process
has exited (so `is_running` is already False in their slots), followed by `ended`.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from core.ml.events import parse_line

TERMINAL = ("finished", "cancelled", "failed")
STDERR_KEPT = 4000  # characters of the job's stderr kept for a failure's reason
_REPO_ROOT = Path(__file__).resolve().parents[2]


class JobRunner(QObject):
    """One job at a time; `start` while running raises `RuntimeError`."""

    event = Signal(dict)  # every event the job reports, in order
    finished = Signal(dict)  # the job's "finished" event
    cancelled = Signal(dict)  # its "cancelled" event (or {"event": "cancelled"} when stopped without one)
    failed = Signal(str)  # why it failed, in words a user can act on
    ended = Signal()  # the process is gone (after finished, cancelled or failed)

    def __init__(self, parent: QObject | None = None, grace_ms: int = 15000, nice: int = 0) -> None:
        """`grace_ms`: how long `stop` waits for a clean cancel before killing. `nice`: a
        POSIX scheduling niceness for the job (positive: the GUI wins the CPU when both want it)."""
        super().__init__(parent)
        self.grace_ms, self.nice = grace_ms, nice
        self.process: QProcess | None = None
        self.command: list[str] = []
        # What runs the command: the CLI's entry point in this interpreter (tests swap in a script).
        self.launcher: list[str] = [sys.executable, "-m", "core.cli.main"]
        self._buffer = b""
        self._stderr = ""
        self._terminal: dict[str, Any] | None = None
        self._stopping = False
        self._start_error: str | None = None
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self.kill)

    # --- control --------------------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        return self.process is not None

    @property
    def stopping(self) -> bool:
        return self._stopping

    def start(self, arguments: list[str]) -> None:
        """Start `ethoframe <arguments> --events-json` (the flag is added when missing)."""
        if self.is_running:
            raise RuntimeError("a job is already running")
        arguments = [str(a) for a in arguments]
        if "--events-json" not in arguments:
            arguments.append("--events-json")
        self.command = arguments
        self._buffer, self._stderr, self._terminal, self._stopping, self._start_error = b"", "", None, False, None
        process = QProcess(self)
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("PYTHONUNBUFFERED", "1")
        python_path = environment.value("PYTHONPATH", "")
        environment.insert("PYTHONPATH", os.pathsep.join(p for p in (str(_REPO_ROOT), python_path) if p))
        process.setProcessEnvironment(environment)
        process.setWorkingDirectory(str(_REPO_ROOT))
        process.readyReadStandardOutput.connect(self._read_stdout)
        process.readyReadStandardError.connect(self._read_stderr)
        process.errorOccurred.connect(self._error)
        process.finished.connect(self._exited)
        self.process = process
        program, *args = [*self.launcher, *arguments]
        if self.nice > 0 and os.name == "posix" and shutil.which("nice"):
            program, args = shutil.which("nice"), ["-n", str(self.nice), program, *args]  # nice execs it: same pid
        process.start(program, args)

    def stop(self) -> None:
        """Ask the job to stop cleanly (SIGTERM); kill it if it has not exited after the grace period."""
        if self.process is None or self._stopping:
            return
        self._stopping = True
        self.process.terminate()
        self._kill_timer.start(self.grace_ms)

    def kill(self) -> None:
        """Stop the job at once (SIGKILL): no checkpoint is written."""
        if self.process is not None:
            self._stopping = True
            self.process.kill()

    def shutdown(self, wait_ms: int = 5000) -> None:
        """For the window closing: stop cleanly, wait up to `wait_ms` (blocking), then kill."""
        process = self.process
        if process is None:
            return
        self.stop()
        if not process.waitForFinished(wait_ms):
            process.kill()
            process.waitForFinished(2000)

    # --- the process's output -----------------------------------------------------------------

    def _read_stdout(self) -> None:
        if self.process is None:
            return
        self._buffer += bytes(self.process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            self._handle_line(line.decode("utf-8", "replace"))

    def _handle_line(self, line: str) -> None:
        event = parse_line(line)
        if event is None:
            return
        if event["event"] in TERMINAL:
            self._terminal = event
        self.event.emit(event)

    def _read_stderr(self) -> None:
        if self.process is not None:
            text = bytes(self.process.readAllStandardError().data()).decode("utf-8", "replace")
            self._stderr = (self._stderr + text)[-STDERR_KEPT:]

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self.process is not None:
            self._start_error = f"could not start the job ({self.launcher[0]}): {self.process.errorString()}"
            self._end()  # no finished signal follows a failed start

    def _exited(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_stdout()
        self._read_stderr()
        if self._buffer.strip():
            self._handle_line(self._buffer.decode("utf-8", "replace"))
            self._buffer = b""
        self._end(code, status)

    def _end(self, code: int = 0, status: QProcess.ExitStatus = QProcess.ExitStatus.NormalExit) -> None:
        process, self.process = self.process, None
        self._kill_timer.stop()
        if process is not None:
            process.deleteLater()
        terminal, stopping = self._terminal, self._stopping
        if self._start_error is not None:
            self.failed.emit(self._start_error)
        elif terminal is not None and terminal["event"] == "finished":
            self.finished.emit(terminal)
        elif terminal is not None and terminal["event"] == "cancelled":
            self.cancelled.emit(terminal)
        elif terminal is not None:
            self.failed.emit(str(terminal.get("reason") or "the job failed"))
        elif stopping:
            self.cancelled.emit({"event": "cancelled", "reason": "stopped"})
        elif status == QProcess.ExitStatus.CrashExit:
            self.failed.emit(f"the job crashed{_signal_name(code)}" + self._tail(": "))
        elif code != 0:
            self.failed.emit(f"the job exited with code {code}" + self._tail(": "))
        else:  # a clean exit that reported no outcome (an older or foreign command)
            self.finished.emit({"event": "finished"})
        self.ended.emit()

    def _tail(self, before: str, after: str = "", lines: int = 6) -> str:
        """The last lines of the job's stderr (its error message or traceback), or nothing."""
        kept = [line for line in self._stderr.strip().splitlines() if line.strip()][-lines:]
        return f"{before}{chr(10).join(kept)}{after}" if kept else ""


def _signal_name(code: int) -> str:
    try:
        return f" ({signal.Signals(code).name})" if code > 0 else ""
    except ValueError:
        return ""
