"""`ethoframe`'s entry point: builds the parser from the command modules and turns every
user mistake into one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from core.cli import demo_commands, interchange_commands, ml_commands, project_commands, suggest_commands, track_commands

COMMAND_MODULES = (project_commands, demo_commands, suggest_commands, interchange_commands, ml_commands, track_commands)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ethoframe",
        description="Label lab videos, train models on your labels, and review their predictions.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    from core.project import ProjectError
    from core.video import VideoError

    return (ProjectError, VideoError, FileNotFoundError, NotADirectoryError, PermissionError, ValueError)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except _user_errors() as error:
        print(f"ethoframe {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"ethoframe {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
