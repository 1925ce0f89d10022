"""`ethoframe suggest`: compute frames worth labelling and store them in the project.

    ethoframe suggest projects/mice --method kmeans -n 20 [--video 3]
    ethoframe suggest projects/mice --method uncertainty -n 20 [--model 2]

Prints one line per video with the suggested frames. Sampling a long video takes a while, so
progress goes to stderr: a redrawn bar on a terminal, one line per 10 % otherwise (logs, CI).
"uncertainty" ranks the frames a model already predicted (`ethoframe predict`) by their lowest
score, at once; videos without predictions are skipped with a note (an error when none has any,
or for the one video asked for).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.progress import TextProgress
from core.domain import Suggestion
from core.project import Project
from core.suggest import COMPUTED_METHODS, PREDICTION_METHODS, suggest_frames, suggest_uncertain
from core.suggest.sampling import DEFAULT_MAX_SAMPLES
from core.video import VideoNotFoundError
from core.project.location import open_project, project_location


def register(commands: argparse._SubParsersAction) -> None:
    suggest = commands.add_parser(
        "suggest",
        help="suggest frames to label (uniform spacing, visual diversity or model uncertainty)",
        description="Suggest frames to label and store them in the project, replacing the "
        "same method's earlier suggestions for each video.",
    )
    suggest.add_argument("project", type=project_location)
    suggest.add_argument(
        "--method", choices=COMPUTED_METHODS + PREDICTION_METHODS, default="kmeans",
        help="uniform: evenly spread; kmeans: visually diverse (default); "
        "uncertainty: the predicted frames the model is least sure of",
    )  # fmt: skip
    suggest.add_argument("--model", type=int, metavar="ID", help="uncertainty: only this model's predictions")
    suggest.add_argument("-n", type=int, required=True, help="frames to suggest per video")
    suggest.add_argument("--video", type=int, metavar="ID", help="only this video (see `ethoframe info`)")
    suggest.add_argument(
        "--samples", type=int, default=DEFAULT_MAX_SAMPLES, metavar="K",
        help=f"kmeans: frames sampled per video (default {DEFAULT_MAX_SAMPLES})",
    )  # fmt: skip
    suggest.add_argument(
        "--assign", metavar="NAMES",
        help="split the suggestions among labellers (ana,ben): each one's Next Suggestion walks their own",
    )  # fmt: skip
    suggest.set_defaults(run=run_suggest)


def run_suggest(args: argparse.Namespace) -> int:
    if args.n <= 0:
        raise ValueError(f"-n must be a positive number of frames, not {args.n}")
    if args.samples <= 0:
        raise ValueError(f"--samples must be positive, not {args.samples}")
    with open_project(args.project) as project:
        videos = [project.videos.get(args.video)] if args.video is not None else project.videos.all()
        if not videos:
            raise ValueError(f"{project.folder} has no videos yet: add one with `ethoframe add-video`")
        failed = unpredicted = 0
        for video in videos:
            try:
                suggestions = _suggest_one(project, video.id, args)
            except _NoPredictions as error:
                if args.video is not None or len(videos) == 1:
                    raise ValueError(str(error)) from None
                unpredicted += 1
                if unpredicted == len(videos):
                    raise ValueError("no video of this project has predictions yet: run `ethoframe predict` first") from None
                print(f"video {video.id}: skipped, no predictions", file=sys.stderr)
                continue
            except VideoNotFoundError:
                if args.video is not None:
                    raise  # the one video asked for: main() prints it as the error
                # One moved video should not cost the user the suggestions for the others.
                note = f"video {video.id}: skipped, file missing ({video.path}): use `ethoframe relink`"
                print(note, file=sys.stderr)
                failed += 1
                continue
            frames = ", ".join(str(s.frame_index) for s in suggestions)
            print(f"video {video.id} ({video.display_name}): {len(suggestions)} {args.method} suggestions: {frames}")
        if args.assign:
            users = [name.strip() for name in args.assign.split(",") if name.strip()]
            counts = project.suggestions.assign(users, [v.id for v in videos])
            print("assigned: " + ", ".join(f"{user} {count}" for user, count in counts.items()))
    return 1 if failed else 0


class _NoPredictions(ValueError):
    """A video without the predictions that uncertainty suggestions rank."""


def _suggest_one(project: Project, video_id: int, args: argparse.Namespace) -> list[Suggestion]:
    if args.method in PREDICTION_METHODS:
        try:
            return suggest_uncertain(project, video_id, args.n, model_id=args.model)  # one query: no bar
        except ValueError as error:
            raise _NoPredictions(str(error)) from None
    if args.method == "uniform":
        return suggest_frames(project, video_id, "uniform", args.n)  # instant: no bar
    with TextProgress(f"video {video_id}") as bar:
        return suggest_frames(project, video_id, args.method, args.n, progress=bar, max_samples=args.samples)
