"""`ethoframe train`, `evaluate`, `predict` and `models`. With `--events-json` each prints its
events as JSON lines (what the GUI's background process reads); otherwise a progress bar and one
line per epoch for a person. Ctrl+C (or SIGTERM from the GUI's Stop) stops cleanly: training
finishes its step and writes its checkpoint; prediction finishes its batch.

A pose model's node threshold (the node score under which a node counts as missing in review,
export and scores) is set with `models --model N --node-threshold T` or `predict --node-threshold
T`, and `evaluate --node-threshold T` scores with another one without keeping it."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core.cli.progress import TextProgress
from core.ml.options import parse_options
from core.ml.tasks import registry
from core.project import Project
from core.project.location import open_project, project_location


def register(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser("train", help="fine-tune a pretrained CNN on the project's labels")
    train.add_argument("project", type=project_location)
    train.add_argument("--task", required=True, type=_task_name, metavar="TASK",
                       help=f"the model task: {', '.join(registry.names())}")
    train.add_argument("--backbone", default="efficientnet_lite0", help="efficientnet_lite0 (offline), resnet18, resnet50, mobilenet_v3_large")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=int, help="number of epochs (default 50)")
    length.add_argument("--minutes", type=float, help="a time budget instead of a number of epochs")
    train.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    train.add_argument("--batch-size", type=int, help="images per step (default: the task's)")
    train.add_argument("--lr", type=float, default=1e-3)
    train.add_argument("--resume", type=int, metavar="RUN_ID", help="continue a stopped training run")
    train.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="a task option, e.g. mode=topdown")
    train.add_argument("--events-json", action="store_true", help="print events as JSON lines (for the GUI)")
    train.set_defaults(run=run_train)

    evaluate = commands.add_parser("evaluate", help="score a trained model (the newest by default)")
    evaluate.add_argument("project", type=project_location)
    evaluate.add_argument("--model", type=int, help="model id (see `ethoframe info`)")
    evaluate.add_argument("--truth", choices=("held-out", "demo"), default="held-out",
                          help="score against the labels training held out (default), or the demo project's ground truth")
    evaluate.add_argument("--frames", type=int, default=200, help="--truth demo: how many never-labelled frames")
    evaluate.add_argument("--device", default="auto")
    evaluate.add_argument("--node-threshold", type=float, metavar="T",
                          help="pose: score with this node threshold (0-1) instead of the model's")
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(run=run_evaluate)

    predict = commands.add_parser("predict", help="run a trained model on videos and store its predictions")
    predict.add_argument("project", type=project_location)
    predict.add_argument("--model", type=_model_ref, help="model id (default: the newest), or a model exported as .onnx (run without torch)")
    predict.add_argument("--video", type=int, action="append", help="video id (default: all videos)")
    predict.add_argument("--frames", metavar="A:B", help="only frames A to B-1")
    predict.add_argument("--batch-size", type=int, default=8)
    predict.add_argument("--device", default="auto")
    predict.add_argument("--resume", action="store_true", help="skip frames this model already predicted")
    predict.add_argument("--node-threshold", type=float, metavar="T",
                         help="pose: set the model's node threshold (0-1); every node is stored either way")
    predict.add_argument("--events-json", action="store_true")
    predict.set_defaults(run=run_predict)

    models = commands.add_parser("models", help="list the trained models, or set a pose model's node threshold")
    models.add_argument("project", type=project_location)
    models.add_argument("--model", type=int, help="model id (with --node-threshold)")
    models.add_argument("--node-threshold", type=float, metavar="T", help="set the model's node threshold (0-1)")
    models.set_defaults(run=run_models)


@contextmanager
def _cancel_on_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl+C or SIGTERM while the command runs (a second one aborts); the
    previous handlers are back afterwards (a test or a script calling `main` keeps its own).
    Off the main thread, where Python takes no signal handlers, the event is only returned."""
    cancel = threading.Event()

    def stop(_signum, _frame) -> None:
        if cancel.is_set():  # a second Ctrl+C: stop now
            raise KeyboardInterrupt
        cancel.set()
        print("stopping after the current step (Ctrl+C again to abort)", file=sys.stderr)

    if threading.current_thread() is not threading.main_thread():
        yield cancel
        return
    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield cancel
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class _HumanTrainingOutput:
    def __init__(self) -> None:
        self.progress: TextProgress | None = None

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "started":
            print(f"training {event['task']} on {event['device']}", file=sys.stderr)
        elif kind == "epoch":
            metrics = "  ".join(f"{k} {v:.4g}" for k, v in event["metrics"].items() if isinstance(v, (int, float)))
            print(f"epoch {event['epoch'] + 1}: loss {event['train_loss']:.4g}  {metrics}  "
                  f"elapsed {event['elapsed_s']:.0f}s  eta {event['eta_s']:.0f}s", file=sys.stderr)  # fmt: skip
        elif kind in ("note", "failed"):
            print(event.get("message") or event.get("reason"), file=sys.stderr)
        elif kind == "verdict":
            print(event["message"])
        elif kind in ("finished", "cancelled") and "model_id" in event:
            print(f"model {event['model_id']} saved ({event.get('stopped', kind)}): {event['path']}")


def run_train(args: argparse.Namespace) -> int:
    from core.ml.events import json_lines
    from core.ml.jobs.train_job import train
    from core.ml.trainer import TrainConfig

    options = {"backbone": args.backbone, **parse_options(args.option)}
    if args.batch_size:
        options["batch_size"] = args.batch_size
    config = TrainConfig(device=args.device, lr=args.lr)
    if args.minutes is not None:
        config.minutes, config.epochs = args.minutes, 10**6
    elif args.epochs is not None:
        config.epochs = args.epochs
    emit = json_lines() if args.events_json else _HumanTrainingOutput()
    with _cancel_on_signals() as cancel, open_project(args.project) as project:
        model = train(project, args.task, options, config, emit, cancel, resume_run=args.resume)
    return 0 if model is not None else 1


def _task_name(text: str) -> str:
    """A registered task's name (the registry is asked when the command line is read, so a
    task registered after the parser was built is known too)."""
    if text not in registry.names():
        raise argparse.ArgumentTypeError(f"unknown task {text!r}; choose one of {', '.join(registry.names())}")
    return text


def _truth(project: Project, name: str):
    """The truth source `--truth` names (None: the held-out labels)."""
    if name == "demo":
        from core.cli.demo_commands import demo_truth

        return demo_truth(project)
    return None


def run_evaluate(args: argparse.Namespace) -> int:
    from core.ml.jobs.evaluate_job import chosen_model

    with open_project(args.project) as project:
        model = chosen_model(project, args.model)
        task = registry.get(model.task)
        report = task.evaluate(project, model, _truth(project, args.truth), n_frames=args.frames, device=args.device,
                               node_threshold=args.node_threshold)  # fmt: skip
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print("\n".join(task.describe_report(report, threshold_given=args.node_threshold is not None)))
    return 0


def _set_node_threshold(project: Project, model_id: int | None, threshold: float) -> str:
    """Keep `threshold` as the model's (default: the newest model's); the line saying so."""
    model = project.models.get(model_id) if model_id is not None else project.models.newest()
    if model is None:
        raise ValueError("this project has no trained model yet: train one first (ethoframe train)")
    project.models.set_node_threshold(model.id, threshold)
    return f"model {model.id} ({model.name}): node threshold {threshold:g}"


def run_models(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        if args.node_threshold is not None:
            if args.model is None:
                raise ValueError("name the model whose node threshold to set: --model N (see `ethoframe models`)")
            print(_set_node_threshold(project, args.model, args.node_threshold))
            return 0
        models = project.models.all()
        if not models:
            print("no trained models yet (ethoframe train)")
        for model in models:
            threshold = model.node_threshold
            extra = f"  node threshold {threshold:g}" if threshold is not None else ""
            print(f"{model.id:>4}  {model.name:<16} {model.task:<9} {model.created_at or ''}{extra}")
    return 0


def _model_ref(text: str):
    """A model id, or the path of an exported ONNX model."""
    if text.isdigit():
        return int(text)
    if text.lower().endswith(".onnx"):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is neither a model id nor an .onnx file")


def run_predict(args: argparse.Namespace) -> int:
    if isinstance(args.model, str):  # an exported ONNX model: ONNX Runtime, torch never imported
        from core.cli.model_export_commands import run_predict_onnx

        return run_predict_onnx(args)
    with _cancel_on_signals() as cancel:
        return _predict(args, cancel)


def _predict(args: argparse.Namespace, cancel: threading.Event) -> int:
    from core.ml.events import json_lines
    from core.ml.jobs.evaluate_job import chosen_model

    with open_project(args.project) as project:
        model = chosen_model(project, args.model)
        task = registry.get(model.task)
        if task.whole_video and (args.frames or args.resume):
            raise ValueError(f"a {task.name} model predicts whole videos: leave out --frames and --resume")
        if args.node_threshold is not None:
            print(_set_node_threshold(project, model.id, args.node_threshold), file=sys.stderr if args.events_json else sys.stdout)
        videos = args.video or [v.id for v in project.videos.all() if v.id not in {m.id for m in project.videos.missing()}]
        summaries = []
        for video_id in videos:
            frames = None
            if args.frames:
                first, _, last = args.frames.partition(":")
                frames = list(range(int(first or 0), int(last) if last else project.videos.get(video_id).frame_count))
            run = dict(frames=frames, batch_size=args.batch_size, device=args.device, resume=args.resume, cancel=cancel)
            if args.events_json:
                summary = task.predict(project, model, video_id, emit=json_lines(), **run)
            else:
                with TextProgress(f"video {video_id}") as bar:
                    emit = lambda e: bar(e["done"], e["total"]) if e["event"] == "progress" else None  # noqa: E731
                    summary = task.predict(project, model, video_id, emit=emit, **run)
                print(f"video {video_id}: {task.describe_video(summary)}")
            summaries.append(summary)
            if summary.stopped:
                break
    closing = task.total(summaries) if summaries and not args.events_json else None
    if closing:
        print(closing)
    return 1 if summaries and summaries[-1].stopped else 0
