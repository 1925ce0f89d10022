"""`ethoframe predict` and `ethoframe evaluate` for behaviour models (training needs nothing
here: `ethoframe train --task behaviour` runs the generic train job).

`ml_commands.run_predict` / `run_evaluate` hand over to `run_predict_behaviour` /
`run_evaluate_behaviour` when the chosen model (`--model`, or the newest) is a behaviour model;
`is_behaviour_model` tells them. Both take the same argparse namespace as the generic commands.
"""

from __future__ import annotations

import argparse
import json
import sys

from core.project import Project
from core.project.location import open_project, project_location


def is_behaviour_model(project: Project, model_id: int | None) -> bool:
    """Whether `--model` (or, without it, the newest model of any task) is a behaviour model."""
    model = project.models.get(model_id) if model_id is not None else project.models.newest()
    return model is not None and model.task == "behaviour"


def run_predict_behaviour(args: argparse.Namespace, cancel=None) -> int:
    from core.ml.events import json_lines
    from core.ml.tasks.behaviour.jobs import predict_behaviour

    with open_project(args.project) as project:
        missing = {v.id for v in project.videos.missing()}
        videos = args.video or [v.id for v in project.videos.all() if v.id not in missing]
        for video_id in videos:
            emit = json_lines() if getattr(args, "events_json", False) else (lambda _e: None)
            summary = predict_behaviour(project, args.model, video_id, emit, cancel, device=getattr(args, "device", "auto"))
            if not getattr(args, "events_json", False):
                print(f"video {video_id}: {summary.events} predicted behaviour events for {summary.subjects} subject(s) "
                      f"({summary.seconds:.1f} s)")  # fmt: skip
            if summary.stopped:
                return 1
    return 0


def run_evaluate_behaviour(args: argparse.Namespace) -> int:
    from core.ml.tasks.behaviour.evaluate import evaluate_behaviour

    with open_project(args.project) as project:
        report = evaluate_behaviour(project, args.model, device=getattr(args, "device", "auto"))
    if getattr(args, "json", False):
        print(json.dumps(report, indent=2))
        return 0
    where = report["evaluated_on"].replace("_", " ")
    print(f"model {report['model_id']} (behaviour), on {report['frames']} frames ({where}):")
    print(f"  macro F1 frames {report['macro_f1_frame']:.3f}   events {report['macro_f1_event'] or 0:.3f}")
    print(f"  {'behaviour':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'event F1':>10}{'frames':>8}")
    for name, s in report["per_behaviour"].items():
        note = "" if s["trained"] else "  (no coded events)"
        print(f"  {name:<14}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}{s['event_f1']:>10.3f}{s['support']:>8}{note}")
    if "confusion" in report:
        labels = report["confusion"]["labels"]
        print("  confusion (rows true, columns predicted):", file=sys.stdout)
        print("  " + " " * 10 + "".join(f"{label[:7]:>8}" for label in labels))
        for label, row in zip(labels, report["confusion"]["matrix"]):
            print(f"  {label[:9]:<10}" + "".join(f"{v:>8}" for v in row))
    return 0
