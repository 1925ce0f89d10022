"""`ethoframe suggest`: compute frames worth labelling and store them in the project.

    ethoframe suggest projects/mice --method kmeans -n 20 [--video 3]

Prints one line per video with the suggested frames. Sampling a long video takes a while, so
progress goes to stderr: a redrawn bar on a terminal, one line per 10 % otherwise (logs, CI).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from core.project import Project
from core.suggest import COMPUTED_METHODS, suggest_frames
from core.suggest.sampling import DEFAULT_MAX_SAMPLES
from core.video import VideoNotFoundError

BAR_WIDTH = 30


def register(commands: argparse._SubParsersAction) -> None:
    suggest = commands.add_parser(
        "suggest",
        help="suggest frames to label (uniform spacing or visual diversity)",
        description="Suggest frames to label and store them in the project, replacing the "
        "same method's earlier suggestions for each video.",
    )
    suggest.add_argument("project", type=Path)
    suggest.add_argument(
        "--method", choices=COMPUTED_METHODS, default="kmeans",
        help="uniform: evenly spread; kmeans: visually diverse (default)",
    )  # fmt: skip
    suggest.add_argument("-n", type=int, required=True, help="frames to suggest per video")
    suggest.add_argument("--video", type=int, metavar="ID", help="only this video (see `ethoframe info`)")
    suggest.add_argument(
        "--samples", type=int, default=DEFAULT_MAX_SAMPLES, metavar="K",
        help=f"kmeans: frames sampled per video (default {DEFAULT_MAX_SAMPLES})",
    )  # fmt: skip
    suggest.set_defaults(run=run_suggest)


def run_suggest(args: argparse.Namespace) -> int:
    if args.n <= 0:
        raise ValueError(f"-n must be a positive number of frames, not {args.n}")
    if args.samples <= 0:
        raise ValueError(f"--samples must be positive, not {args.samples}")
    with Project.open(args.project) as project:
        videos = [project.videos.get(args.video)] if args.video is not None else project.videos.all()
        if not videos:
            raise ValueError(f"{project.folder} has no videos yet: add one with `ethoframe add-video`")
        failed = 0
        for video in videos:
            bar = ProgressPrinter(f"video {video.id}", sys.stderr)
            try:
                suggestions = suggest_frames(
                    project, video.id, args.method, args.n, progress=bar, max_samples=args.samples
                )
            except VideoNotFoundError:
                bar.finish()
                if args.video is not None:
                    raise  # the one video asked for: main() prints it as the error
                # One moved video should not cost the user the suggestions for the others.
                print(f"video {video.id}: skipped, file missing ({video.path}): use `ethoframe relink`", file=sys.stderr)
                failed += 1
                continue
            bar.finish()
            frames = ", ".join(str(s.frame_index) for s in suggestions)
            print(f"video {video.id} ({video.display_name}): {len(suggestions)} {args.method} suggestions: {frames}")
    return 1 if failed else 0


class ProgressPrinter:
    """A `progress(done, total)` callback that draws on a text stream.

    On a terminal it redraws one line; elsewhere it writes a line each time another 10 % is
    done, so a log file gets ten lines, not thousands of carriage returns.
    """

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last_tenth = -1
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        fraction = done / total if total > 0 else 1.0
        if self.tty:
            filled = int(round(fraction * BAR_WIDTH))
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {fraction:4.0%} {done}/{total} frames")
            self._drawn = True
        else:
            tenth = int(fraction * 10)
            if tenth <= self._last_tenth:
                return
            self._last_tenth = tenth
            self.stream.write(f"{self.label}: {tenth * 10}% ({done}/{total} frames sampled)\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the terminal's progress line so later output starts on a fresh line."""
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
