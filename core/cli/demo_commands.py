"""`ethoframe demo [DIR] [--no-gui]`: make the demo project (once) and open it; and the demo's
kept-apart ground truth as a truth source for `ethoframe evaluate --truth demo` (`demo_truth`):
the only place outside `core.demo` where the CLI reaches the demo."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from core.cli.progress import TextProgress
from core.cli.project_commands import launch_gui
from core.demo import WorldConfig
from core.project import DATABASE_NAME, Project
from core.demo.project import create_demo_project, is_unfinished_demo

DEFAULT_FOLDER = Path("projects") / "demo"


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="create the demo project (a mouse arena with labels) and open it")
    demo.add_argument("directory", type=Path, nargs="?", default=DEFAULT_FOLDER,
                      help=f"where to create it (default: {DEFAULT_FOLDER})")  # fmt: skip
    demo.add_argument("--no-gui", action="store_true", help="only create the project")
    demo.add_argument("--seconds", type=float, default=60.0, help="length of the demo video (default 60)")
    demo.add_argument("--animals", type=int, default=3, help="number of mice (default 3)")
    demo.add_argument("--seed", type=int, default=0, help="which demo world (default 0)")
    demo.add_argument("--labeled-frames", type=int, default=40, help="frames labelled from the ground truth")
    demo.set_defaults(run=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    folder: Path = args.directory
    if (folder / DATABASE_NAME).exists() and _unfinished(folder):
        print(f"{folder} holds a demo project stopped half-way (no video): making it again", file=sys.stderr)
        for path in folder.glob(DATABASE_NAME + "*"):
            path.unlink()
        for sub in ("models", "exports", "videos", "ground_truth"):
            shutil.rmtree(folder / sub, ignore_errors=True)
    if (folder / DATABASE_NAME).exists():
        print(f"opening the existing demo project in {folder}", file=sys.stderr)
    else:
        config = WorldConfig(seconds=args.seconds, n_animals=args.animals, seed=args.seed)
        print(f"rendering the demo world ({config.n_frames} frames) into {folder} ...", file=sys.stderr)
        with TextProgress("rendering") as progress:
            project = create_demo_project(folder, config, labeled_frames=args.labeled_frames, progress=progress)
        counts = project.counts()
        project.close()
        print(
            f"created {folder}: {counts.frames_labeled} labelled frames, {counts.instances_user} instances, "
            f"{counts.behaviour_events} behaviour events"
        )
    if args.no_gui:
        return 0
    return launch_gui(folder)


def _unfinished(folder: Path) -> bool:
    with Project.open(folder) as project:
        return is_unfinished_demo(project)


def demo_truth(project: Project):
    """The demo world's ground truth as a truth source for evaluation (ValueError, in words,
    when `project` is not a demo project)."""
    from core.demo.truth_source import DemoTruth

    return DemoTruth.of(project)
