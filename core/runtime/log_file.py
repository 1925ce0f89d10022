"""The log file a user attaches to a bug report: one per user, in the user's data folder,
rotated at 1 MB with five old files kept.

Where it lies (`log_folder`): `$ETHOFRAME_LOG_DIR` when set (tests point it at a temporary
folder), else `%LOCALAPPDATA%\\Ethoframe\\Logs` on Windows, `~/Library/Logs/Ethoframe` on macOS,
and `$XDG_DATA_HOME/ethoframe/logs` (`~/.local/share/ethoframe/logs`) elsewhere. Computed here,
without Qt, so the command line and the GUI name the same file.

`setup_logging()` is called by both entry points (`ethoframe`, `python -m gui`); it sends the
records of Ethoframe's own loggers (`core.*`, `gui.*`, at INFO and above) to the file. The GUI and
the training and predict processes it starts write to the same file, each line with its
process id. A log that cannot be written (a read-only home) is given up quietly: the program
never fails for its log.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

ENV_DIR = "ETHOFRAME_LOG_DIR"
FILE_NAME = "ethoframe.log"
MAX_BYTES, BACKUPS = 1_000_000, 5
LOGGERS = ("core", "gui")
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def log_folder() -> Path:
    """The folder of this user's log files (see the module's docstring)."""
    if override := os.environ.get(ENV_DIR):
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "Ethoframe" / "Logs"
    if sys.platform == "darwin":
        return home / "Library" / "Logs" / "Ethoframe"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "ethoframe" / "logs"


def log_path() -> Path:
    """The log file: where `setup_logging` writes (or would write)."""
    return log_folder() / FILE_NAME


class _QuietRotatingHandler(logging.handlers.RotatingFileHandler):
    """Rotates like its parent; a record it cannot write (the file is rotated by another
    process, the disk is full) is dropped instead of printing a traceback on stderr."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        pass


_handler: _QuietRotatingHandler | None = None


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Send Ethoframe's log records to the log file; the file's path, or None when it cannot
    be opened. Calling it again is harmless; it follows a changed `$ETHOFRAME_LOG_DIR`."""
    global _handler
    path = log_path()
    if _handler is not None and Path(_handler.baseFilename) == path.absolute():
        return path
    shutdown_logging()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _QuietRotatingHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > level:
            logger.setLevel(level)
    _handler = handler
    return path


def shutdown_logging() -> None:
    """Detach and close the log file's handler (tests; a changed folder)."""
    global _handler
    if _handler is None:
        return
    for name in LOGGERS:
        logging.getLogger(name).removeHandler(_handler)
    _handler.close()
    _handler = None


def active_log_path() -> Path | None:
    """The file the log is written to now, or None when logging was not set up."""
    return Path(_handler.baseFilename) if _handler is not None else None


def details_hint() -> str:
    """' (details in /path/ethoframe.log)' for a failure message, or '' without a log file."""
    path = active_log_path()
    return f" (details in {path})" if path is not None else ""


def with_details(message: str) -> str:
    """`message` ending with where the log file is, unless it names it already."""
    path = active_log_path()
    return message if path is None or str(path) in message else f"{message} (details in {path})"
