"""`ethoframe`'s entry point: builds the parser from the command modules and turns every
user mistake into one clear line on stderr and a non-zero exit, never a traceback.

The same holds for what the machine does wrong: a full disk, a permission, a file that
vanished (`OSError`), a database SQLite cannot write. Those are one line naming the file. An
error that is Ethoframe's own fault is one line too, with the traceback written to a file the
user can attach to a bug report (`ETHOFRAME_DEBUG=1` lets it through instead).
"""

from __future__ import annotations

import argparse
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


def _database_error(error: BaseException, args: argparse.Namespace) -> str | None:
    """One line for a database the driver could not read or write (full disk, locked, I/O)."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    original = error.orig if isinstance(error, DBAPIError) else error
    if not isinstance(original, sqlite3.Error) and not isinstance(error, DBAPIError):
        return None
    from core.project.location import describe_server_error, is_url

    where = getattr(args, "project", None)
    if where is not None and is_url(where):  # the server went away mid-command, or refused
        return describe_server_error(error, where)
    place = f"the project database in {where}" if where is not None else "the project database"
    return f"{place} could not be read or written: {original}"


def _internal_error(error: BaseException, command: str) -> str:
    text = "".join(traceback.format_exception(error))
    handle, path = tempfile.mkstemp(prefix=f"ethoframe-{command}-", suffix=".txt")
    with os.fdopen(handle, "w") as report:
        report.write(text)
    return (
        f"{type(error).__name__}: {error} (this is a bug in Ethoframe: the details are in {path}; "
        "please attach that file and `ethoframe check PROJECT`'s report to a bug report)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Environment, not arguments: the training and predict processes a command starts inherit them.
    if args.user:
        os.environ["ETHOFRAME_USER"] = args.user
    if args.folder:
        os.environ["ETHOFRAME_FOLDER"] = str(Path(args.folder).expanduser().resolve())
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print(f"ethoframe {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as error:
        message = describe_os_error(error)
    except _user_errors() as error:
        message = str(error)
    except Exception as error:  # noqa: BLE001 (never a traceback on the user's screen)
        if os.environ.get("ETHOFRAME_DEBUG"):
            raise
        message = _database_error(error, args) or _disk_full(error) or _internal_error(error, args.command)
    print(f"ethoframe {args.command}: error: {message}", file=sys.stderr)
    return 1


def _disk_full(error: BaseException) -> str | None:
    """torch.save reports a full disk as a RuntimeError ('file write failed')."""
    text = str(error)
    if isinstance(error, RuntimeError) and ("file write failed" in text or "No space left" in text):
        return f"a file could not be written (is the disk full?): {text.splitlines()[0] if text else error}"
    return None


if __name__ == "__main__":
    sys.exit(main())
