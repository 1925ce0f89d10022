"""`ethoframe export-model`: a trained pose model as ONNX or TorchScript, with its JSON card,
for use outside Ethoframe; `ethoframe predict --model FILE.onnx` (in `ml_commands`) runs one
back through ONNX Runtime without torch (`run_predict_onnx` here).

    ethoframe export-model projects/mice --model 3 mice.onnx       # mice.onnx + mice.json
    ethoframe export-model projects/mice --model 3 mice.pt         # TorchScript
    ethoframe predict projects/rig --model mice.onnx               # no torch needed
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.cli.progress import TextProgress
from core.project.location import open_project, project_location


def register(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser("export-model", help="export a trained pose model as ONNX or TorchScript, with a JSON card")
    export.add_argument("project", type=project_location)
    export.add_argument("out", type=Path, metavar="OUT", help="OUT.onnx (ONNX) or OUT.pt (TorchScript); the card goes to OUT.json")
    export.add_argument("--model", type=int, help="model id (default: the newest model that can be exported: pose)")
    export.add_argument("--format", choices=("onnx", "torchscript"), help="default: from OUT's suffix")
    export.set_defaults(run=run_export_model)


def run_export_model(args: argparse.Namespace) -> int:
    from core.ml.tasks import registry

    exportable = [task.name for task in registry.tasks() if task.exportable]
    with open_project(args.project) as project:
        if args.model is not None:
            model = project.models.get(args.model)
        else:  # the newest model of a task that can be exported
            model = max((m for m in project.models.all() if m.task in exportable), key=lambda m: m.id, default=None)
        if model is None:
            raise ValueError(f"this project has no trained model to export yet ({' or '.join(exportable)}): train one first")
        files = registry.get(model.task).export_model(project, model, args.out, args.format)
    print(f"exported model {model.id} ({model.name}): " + ", ".join(map(str, files)))
    return 0


def run_predict_onnx(args: argparse.Namespace) -> int:
    from core.ml.onnx_predict import predict_with_onnx

    frames = None
    with open_project(args.project) as project:
        if args.frames:
            first, _, last = args.frames.partition(":")
            frames = list(range(int(first or 0), int(last) if last else max(v.frame_count for v in project.videos.all())))
        videos = args.video or [v.id for v in project.videos.all() if v.id not in {m.id for m in project.videos.missing()}]
        with TextProgress("predicting") as bar:
            summary = predict_with_onnx(project, args.model, videos, frames, args.batch_size, bar)
    print(summary.describe())
    return 0
