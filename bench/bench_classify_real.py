"""Frame classification ("classify") on a real video: SLEAP's fly clip (clip.mp4, 1500 frames,
1024x1024, two flies, every frame labelled in clip.slp). Its labels carry no behaviours, so the
whole-frame behaviour is derived from them: "moving" where the flies' mean thorax speed
(smoothed over 5 frames) is above `--speed` px/frame, else "still". That truth is honest for
what a pixel model can see (the flies moving or not), and a truth source (`TruthSource`) scores
against it on every frame that was not coded.

    python bench/bench_classify_real.py                  # 20% coded in 8 spread blocks (a few CPU minutes)
    python bench/bench_classify_real.py --coded 0.1 --epochs 40

Printed: frame macro F1 of the classify model on the never-coded frames, against the majority
class (always the commoner behaviour) as the baseline measured on the same frames.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.domain import Behaviour, BehaviourEvent
from core.interchange import import_file
from core.ml.events import collect
from core.ml.jobs.train_job import train
from core.ml.tasks import registry
from core.ml.tasks.behaviour.metrics import frame_scores, macro_f1
from core.ml.trainer import TrainConfig
from core.project import Project

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sleap" / "clip.slp"
NAMES = ("moving", "still")


class DerivedTruth:
    """The moving/still frames of the video, as a truth source for the whole frame."""

    name = "derived_from_poses"

    def __init__(self, video_id: int, moving: np.ndarray) -> None:
        self.video_id, self.moving = video_id, moving

    def instances(self, project, n_frames):
        return {}

    def behaviour_frames(self, project, video_id):
        if video_id != self.video_id:
            return {}
        return {None: {"moving": self.moving, "still": ~self.moving}}


def moving_frames(project: Project, video_id: int, frame_count: int, speed: float) -> np.ndarray:
    """Whether the flies' mean thorax speed (px/frame, smoothed over 5 frames) exceeds `speed`."""
    thorax = project.skeletons.all()[0].nodes.index("thorax")
    positions: dict[int, np.ndarray] = {}
    for frame, instances in project.instances.on_frames(video_id, 0, frame_count, source="user").items():
        for instance in instances:
            if instance.track_id is not None:
                positions.setdefault(instance.track_id, np.full((frame_count, 2), np.nan))[frame] = instance.keypoints[thorax, :2]
    speeds = np.nanmean([np.linalg.norm(np.diff(p, axis=0, prepend=p[:1]), axis=1) for p in positions.values()], axis=0)
    smooth = np.convolve(np.nan_to_num(speeds), np.ones(5) / 5, mode="same")
    return smooth > speed


def code_blocks(project: Project, video_id: int, moving: np.ndarray, fraction: float, blocks: int, ids: dict[str, int]) -> np.ndarray:
    """Whole-frame events of the derived truth over `blocks` spread blocks; returns the coded mask."""
    n = len(moving)
    length = int(n * fraction / blocks)
    coded = np.zeros(n, bool)
    events = []
    for start in np.linspace(0, n - length, blocks).round().astype(int):
        coded[start : start + length] = True
        labels = moving[start : start + length]
        edges = [0, *(np.flatnonzero(np.diff(labels.astype(int))) + 1), length]
        for lo, hi in zip(edges[:-1], edges[1:]):
            name = "moving" if labels[lo] else "still"
            events.append(BehaviourEvent(video_id, ids[name], int(start + lo), int(start + hi - 1), None))
    project.events.add_many(events)
    return coded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--coded", type=float, default=0.2, help="fraction of the frames coded")
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--speed", type=float, default=2.0, help="px/frame above which the flies count as moving")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"needs {DATA} (the shared real data)", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="bench_classify_real_")) / "flies"
    began = time.monotonic()
    with Project.create(folder) as project:
        import_file(project, DATA)
        video = project.videos.all()[0]
        moving = moving_frames(project, video.id, video.frame_count, args.speed)
        ids = {name: project.behaviours.add(Behaviour(name, name[0])).id for name in NAMES}
        coded = code_blocks(project, video.id, moving, args.coded, args.blocks, ids)
        print(f"clip.mp4: {video.frame_count} frames, {moving.mean():.0%} 'moving' (mean thorax speed > {args.speed:g} px/frame); "
              f"coded {coded.sum()} frames in {args.blocks} blocks ({time.monotonic() - began:.0f} s)", flush=True)  # fmt: skip
        config = TrainConfig(epochs=args.epochs, patience=0, lr=2e-3, warmup_steps=20)
        began = time.monotonic()
        model = train(project, "classify", {}, config, collect([]))
        seconds = time.monotonic() - began
        report = registry.get("classify").evaluate(project, model, DerivedTruth(video.id, moving))
        truth = np.stack([moving, ~moving], 1)[~coded]
        commoner = np.zeros_like(truth)
        commoner[:, 0 if moving[~coded].mean() >= 0.5 else 1] = True
        baseline = macro_f1(frame_scores(truth, commoner, np.ones(len(truth), bool)))
    per = {k: round(v["f1"], 3) for k, v in report["per_behaviour"].items()}
    print(f"classify: frame macro F1 {report['macro_f1_frame']:.3f} on {report['frames']} never-coded frames "
          f"(per behaviour {per}); majority-class baseline {baseline:.3f}; train + features {seconds:.0f} s")  # fmt: skip
    shutil.rmtree(folder.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    torch.set_num_threads(max(1, torch.get_num_threads()))
    sys.exit(main())
