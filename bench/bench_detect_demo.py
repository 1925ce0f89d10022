"""Detection (and segmentation) quality bar on the demo project, in one command.

    python bench/bench_detect_demo.py [--project /tmp/det_demo] [--minutes 10] [--task detect|segment|both]

Trains on the demo project's labelled frames only (40 by default) with the shared trainer for
a CPU time budget, single-threaded by default (OMP_NUM_THREADS=1, torch.set_num_threads(1)),
then scores the best checkpoint against the demo's exact ground truth on `--eval-frames`
frames spread over the video that were never labelled: COCO box mAP and mAP@0.5 (and mask mAP
for segment), plus inference frames/second (decoded frames in memory, model + post-processing,
one frame per call). Prints a JSON summary and writes it next to the model as bench.json.
The project is made with `create_demo_project` when `--project` does not exist yet.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=Path("/tmp/det_demo"))
    parser.add_argument("--task", choices=("detect", "segment", "both"), default="detect")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--lr", type=float, default=None, help="default: TrainConfig's (what `ethoframe train` uses)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--eval-frames", type=int, default=200)
    parser.add_argument("--options", type=json.loads, default={}, help="adapter options as JSON")
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)

    import torch

    torch.set_num_threads(args.threads)
    for task in ("detect", "segment") if args.task == "both" else (args.task,):
        print(json.dumps(run(args, task), indent=1), flush=True)


def run(args: argparse.Namespace, task: str) -> dict:
    import numpy as np

    from core.demo import GroundTruth
    from core.domain import Rle
    from core.ml.checkpoint import load_checkpoint
    from core.ml.tasks.detection import build_adapter
    from core.ml.trainer import TrainConfig, Trainer
    from core.project import Project
    from core.video import open_video
    from core.demo.project import create_demo_project, truth_path

    project = Project.open(args.project) if args.project.exists() else create_demo_project(args.project)
    truth = GroundTruth.load(truth_path(project))
    adapter = build_adapter(project, dict(args.options), task)
    folder = project.models_folder / f"bench_{task}_{time.strftime('%Y%m%d-%H%M%S')}"
    parts: dict[str, list[float]] = {}

    def emit(event: dict) -> None:
        if event["event"] == "step":
            for name, value in event["parts"].items():
                parts.setdefault(name, []).append(value)
        if event["event"] == "epoch":
            metrics = " ".join(f"{k}={v:.3f}" for k, v in event["metrics"].items() if isinstance(v, float))
            losses = " ".join(f"{k}={sum(v) / len(v):.3f}" for k, v in parts.items())
            parts.clear()
            print(f"[{task}] epoch {event['epoch']} {event['elapsed_s']:.0f}s loss={event['train_loss']:.3f} ({losses}) {metrics}",
                  file=sys.stderr, flush=True)  # fmt: skip

    lr = TrainConfig().lr if args.lr is None else args.lr
    config = TrainConfig(epochs=10**6, minutes=args.minutes, lr=lr, patience=0, device="cpu")
    began = time.monotonic()
    result = Trainer(adapter, config, folder, emit).fit()
    train_s = time.monotonic() - began

    labelled = {index for _, index in project.instances.labeled_frames()}
    video = project.videos.all()[0]
    candidates = [i for i in range(video.frame_count) if i not in labelled and truth.frame(i)]
    chosen = [candidates[int(j)] for j in np.linspace(0, len(candidates) - 1, args.eval_frames).round()]
    reader = open_video(video.path)
    frames = [np.array(reader.read(i)) for i in chosen]
    reader.close()
    class_id = adapter.classes.ids[0] if len(adapter.classes.ids) == 1 else None
    expected = [
        [{"box": tuple(map(float, a.box)), "class_id": class_id, "mask": Rle.from_array(truth.mask(i, a.track_id))}
         for a in truth.frame(i)]
        for i in chosen
    ]  # fmt: skip

    last = load_checkpoint(result.last_path, task)
    summary = {
        "task": task, "train_frames": len(adapter.train_targets), "val_frames": len(adapter.val_targets),
        "minutes": args.minutes, "threads": args.threads, "lr": lr, "train_s": round(train_s, 1),
        "epochs": result.epochs_run, "steps": last["step"], "scaling": adapter.scaling.to_state(),
        "monitor": adapter.monitor, "best_epoch": load_checkpoint(result.best_path, task)["epoch"],
        "best_val_metrics": result.best_metrics, "eval_frames": len(chosen), "model": str(result.best_path),
        # the figures: the best checkpoint (what a user gets) against the never-labelled frames
        **score(load_checkpoint(result.best_path, task), frames, expected, task),
        "last_checkpoint": score(last, frames, expected, task),
    }  # fmt: skip
    (folder / "bench.json").write_text(json.dumps(summary, indent=1))
    project.close()
    return summary


def score(payload: dict, frames: list, expected: list, task: str) -> dict:
    """COCO figures of one checkpoint on the evaluation frames, and its frames/second."""
    from core.ml.metrics.boxes import box_map, mask_map
    from core.ml.tasks.detection import load_predictor

    predictor = load_predictor(payload, "cpu")
    predictor.predict(frames[:2])  # warm-up (oneDNN builds its kernels on the first call)
    began = time.monotonic()
    found = [predictor.predict([frame], score_threshold=0.0)[0] for frame in frames]
    fps = len(frames) / (time.monotonic() - began)
    boxes = box_map(expected, found)
    out = {"box_map": boxes["map"], "box_map50": boxes["map50"], "box_map75": boxes["map75"]}
    if task == "segment":
        masks = mask_map(expected, found)
        out.update(mask_map=masks["map"], mask_map50=masks["map50"], mask_map75=masks["map75"])
    confident = [[f for f in frame if f["score"] >= predictor.score_threshold] for frame in found]
    out.update(inference_fps=round(fps, 2), instances_true=sum(map(len, expected)),
               instances_found_at_threshold=sum(map(len, confident)), score_threshold=predictor.score_threshold)  # fmt: skip
    return out


if __name__ == "__main__":
    main()
