"""`ethoframe`'s entry point: builds the parser from the command modules and turns every
user mistake into one clear line on stderr and a non-zero exit, never a traceback.

The same holds for what the machine does wrong: a full disk, a permission, a file that
vanished (`OSError`), a database SQLite cannot write. Those are one line naming the file. An
error that is Ethoframe's own fault is one line too. Every error's traceback goes to the log
file (`core.runtime.log_file`), which the line names, for the user to attach to a bug report
(`ETHOFRAME_DEBUG=1` lets the error through instead).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from core.cli import (
    demo_commands,
    interchange_commands,
    ml_commands,
    model_export_commands,
    project_commands,
    store_commands,
    suggest_commands,
    track_commands,
)
from core.runtime.log_file import active_log_path, details_hint, setup_logging

log = logging.getLogger("core.cli.main")  # not __name__: under `python -m core.cli.main` that is "__main__"

COMMAND_MODULES = (
    project_commands, store_commands, demo_commands, suggest_commands, interchange_commands, ml_commands, model_export_commands,
    track_commands,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ethoframe",
        description="Label lab videos, train models on your labels, and review their predictions.",
    )
    parser.add_argument("--user", metavar="NAME",
                        help="who is labelling, recorded on what you make and change (default: your login name)")
    parser.add_argument("--folder", metavar="DIR",
                        help="for a shared project: the folder for your models and exports (remembered per user)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    from core.project import ProjectError
    from core.video import VideoError

    return (ProjectError, VideoError, ValueError)


def describe_os_error(error: OSError) -> str:
    """'No space left on device: /data/p/project.sqlite' — the reason, then the file."""
    reason = error.strerror or str(error)
    files = [str(f) for f in (error.filename, error.filename2) if f is not None]
    return f"{reason}: {' -> '.join(files)}" if files else reason


def _internal_error(error: BaseException, command: str) -> str:
    path = active_log_path()  # the traceback is logged there
    if path is None:  # no log file could be opened: the traceback gets a file of its own
        handle, path = tempfile.mkstemp(prefix=f"ethoframe-{command}-", suffix=".txt")
        with os.fdopen(handle, "w") as report:
            report.write("".join(traceback.format_exception(error)))
    return (
        f"{type(error).__name__}: {error} (this is a bug in Ethoframe: the details are in {path}; "
        "please attach that file and `ethoframe check PROJECT`'s report to a bug report)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging()
    # Environment, not arguments: the training and predict processes a command starts inherit them.
    if args.user:
        os.environ["ETHOFRAME_USER"] = args.user
    if args.folder:
        os.environ["ETHOFRAME_FOLDER"] = str(Path(args.folder).expanduser().resolve())
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        log.info("ethoframe %s: interrupted", args.command)
        print(f"ethoframe {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as error:
        failure, message = error, describe_os_error(error)
    except _user_errors() as error:
        failure, message = error, str(error)
    except Exception as error:  # noqa: BLE001 (never a traceback on the user's screen)
        if os.environ.get("ETHOFRAME_DEBUG"):
            raise
        failure = error
        message = _disk_full(error) or _internal_error(error, args.command)
    log.error("ethoframe %s: %s", args.command, message, exc_info=failure)
    hint = "" if "the details are in" in message else details_hint()
    print(f"ethoframe {args.command}: error: {message}{hint}", file=sys.stderr)
    return 1


def _disk_full(error: BaseException) -> str | None:
    """torch.save reports a full disk as a RuntimeError ('file write failed')."""
    text = str(error)
    if isinstance(error, RuntimeError) and ("file write failed" in text or "No space left" in text):
        return f"a file could not be written (is the disk full?): {text.splitlines()[0] if text else error}"
    return None


if __name__ == "__main__":
    sys.exit(main())
