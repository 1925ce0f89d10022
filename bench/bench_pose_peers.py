"""Ethoframe against sleap-nn on the same split, budget and thread count, in the same run.

    python bench/bench_pose_peers.py [--dataset fly|mouse|both] [--minutes 15] [--threads 1]
                                     [--only ethoframe|sleap-nn] [--out bench/out/bench_pose_peers.json]

Protocols (each tool trains for --minutes per dataset, one tool after the other):
- fly: ../shared/data/sleap/clip.slp (two flies, 1024x1024, 13 nodes), train on frames 0, 5, ...,
  495, test on frames 1000, 1005, ..., 1495 (bench_pose_sleap.py's protocol).
- mouse: ../shared/data/lightning-pose/mirror-mouse-example (DeepLabCut CollectedData.csv, one
  mouse seen from top and bottom, 17 nodes, 396x406 PNGs): the labelled images sorted by name,
  every 4th one (rank % 4 == 3) held out for testing, the rest train.

Both tools get the same labels: each split is read once by Ethoframe's own importer into a
`Dataset`; Ethoframe imports it into a fresh project, and sleap-nn gets it written as a .slp
file (absolute video paths; the mouse's image folder as an image-sequence video in the same
natural order). sleap-nn runs in its own venv (bench/peers/sleap_nn_env.py, made once in
~/.cache/ethoframe-bench) through bench/peers/sleap_nn_driver.py.

One scorer for both: `core.ml.metrics.keypoints.keypoint_metrics` (PCK@5/10 over all labelled
true nodes, misses counted; median and mean px error over found nodes; instances found; our OKS
mAP) and pycocotools' COCOeval (`core.ml.metrics.coco_keypoints`, uniform sigma 0.05).
Ethoframe's nodes under the model's node threshold (validation's `val_node_threshold`, else
0.2) count as not found; sleap-nn's output is taken as it is (a NaN point is not found).
"nodes placed on found instances": of the labelled true nodes of matched instances, the share
the prediction placed. frames/s: model only (decoded frames in, poses out) and end to end
(frame reading and decoding included), single frames for Ethoframe, sleap-nn's default
batches of 4, both after one warm-up frame.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from core.interchange.apply import apply_dataset
from core.interchange.dataset import Dataset
from core.interchange.dlc import read_dlc
from core.interchange.slp import read_slp
from core.ml.checkpoint import load_checkpoint
from core.ml.metrics.coco_keypoints import coco_oks_map
from core.ml.metrics.keypoints import FrameKeypoints, _as_instances, keypoint_metrics, match_instances
from core.domain.node_threshold import apply_node_threshold
from core.ml.tasks.pose import build_adapter, load_predictor
from core.ml.trainer import TrainConfig, Trainer
from core.project import Project
from core.video import open_video
from core.video.fingerprint import list_images

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
FLY = SHARED / "sleap" / "clip.slp"
MOUSE = SHARED / "lightning-pose" / "mirror-mouse-example"
DEFAULT_NODE_THRESHOLD = 0.2
ROWS = ("pck_5px", "pck_10px", "median_px_error", "mean_px_error", "instances_found", "nodes_placed_on_found",
        "oks_map", "coco_oks_map", "coco_oks_ap50", "coco_oks_ap75", "fps_model", "fps_end_to_end",
        "train_minutes", "epochs")  # fmt: skip


@dataclass
class Split:
    """A protocol's train and test labels (one video), as read by Ethoframe's importers."""

    name: str
    train: Dataset
    test: Dataset

    @property
    def video(self) -> str:
        (video,) = {v.path for v in self.test.videos}
        return video

    def truth(self) -> dict[int, np.ndarray]:
        """Test frame index -> true instances (n, n_nodes, 3)."""
        out: dict[int, list] = {}
        for instance in self.test.instances:
            out.setdefault(instance.frame_index, []).append(instance.keypoints)
        return {f: np.stack(k) for f, k in sorted(out.items())}


def subset(dataset: Dataset, keep) -> Dataset:
    """`dataset` with only the user instances on frames `keep(frame_index)` accepts."""
    kept = [(i, o) for i, o in zip(dataset.instances, dataset.origins) if i.source == "user" and keep(i.frame_index)]
    return replace(dataset, instances=[i for i, _ in kept], origins=[o for _, o in kept], suggestions=[], notes=[])


def fly_split() -> Split:
    train, test = list(range(0, 500, 5)), list(range(1000, 1500, 5))
    return Split("fly", subset(read_slp(FLY, train), lambda f: True), subset(read_slp(FLY, test), lambda f: True))


def mouse_split() -> Split:
    everything = read_dlc(MOUSE)
    frames = sorted({i.frame_index for i in everything.instances})  # image order = name order
    test = {f for rank, f in enumerate(frames) if rank % 4 == 3}
    return Split("mouse", subset(everything, lambda f: f not in test), subset(everything, lambda f: f in test))


def write_slp_for_peer(dataset: Dataset, path: Path) -> Path:
    """The user labels of `dataset` as a .slp file; an image folder becomes an image-sequence
    video listing its images in the natural order Ethoframe numbers frames by."""
    import sleap_io as sio

    skeletons = {s.id: sio.Skeleton(nodes=list(s.nodes), edges=[list(e) for e in s.edges], name=s.name) for s in dataset.skeletons}
    tracks = {t.id: sio.Track(name=t.name) for t in dataset.tracks}
    videos = {}
    for video in dataset.videos:
        source = Path(video.path).resolve()
        files = [str(p.resolve()) for p in list_images(source)] if source.is_dir() else str(source)
        videos[video.id] = sio.Video.from_filename(files)
    frames: dict[tuple[int, int], list] = {}
    for instance in dataset.instances:
        xy = instance.keypoints[:, :2].astype(np.float64)
        xy[instance.keypoints[:, 2] == 0] = np.nan
        made = sio.Instance.from_numpy(xy, skeletons[instance.skeleton_id], track=tracks.get(instance.track_id))
        made.points["visible"] = instance.keypoints[:, 2] == 2
        frames.setdefault((instance.video_id, instance.frame_index), []).append(made)
    labels = sio.Labels(
        labeled_frames=[sio.LabeledFrame(video=videos[v], frame_idx=f, instances=i) for (v, f), i in sorted(frames.items())],
        videos=list(videos.values()), skeletons=list(skeletons.values()), tracks=list(tracks.values()),
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.save_slp(labels, str(path), embed=False)
    return path


def nodes_placed_on_found(frames: list[FrameKeypoints]) -> float:
    """Of the labelled true nodes of matched instances, the share the prediction placed."""
    placed = labelled = 0
    for frame in frames:
        truth, predicted = _as_instances(frame.truth), _as_instances(frame.predicted)
        for t, p in match_instances(truth, predicted):
            wanted = truth[t, :, 2] > 0
            labelled += int(wanted.sum())
            placed += int((wanted & (predicted[p, :, 2] > 0)).sum())
    return placed / labelled if labelled else float("nan")


def score(truth: dict[int, np.ndarray], predicted: dict[int, tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """Both scorers on test frames; `predicted`: frame -> (keypoints (n, n_nodes, 3), scores (n,))."""
    n_nodes = next(iter(truth.values())).shape[1]
    frames = []
    for index, true in truth.items():
        keypoints, scores = predicted.get(index, (np.zeros((0, n_nodes, 3)), np.zeros(0)))
        frames.append(FrameKeypoints(true, keypoints, scores))
    return {**keypoint_metrics(frames), **coco_oks_map(frames), "nodes_placed_on_found": nodes_placed_on_found(frames)}


def run_ethoframe(split: Split, minutes: float, work: Path, options: dict) -> dict:
    folder = work / "ethoframe"
    shutil.rmtree(folder, ignore_errors=True)
    project = Project.create(folder)
    apply_dataset(project, split.train, "bench")
    began = time.monotonic()
    adapter = build_adapter(project, options)
    result = Trainer(adapter, TrainConfig(minutes=minutes), folder / "models" / "bench", lambda e: None).fit()
    train_minutes = (time.monotonic() - began) / 60
    threshold = result.best_metrics.get("val_node_threshold")
    threshold = float(threshold) if isinstance(threshold, (int, float)) else DEFAULT_NODE_THRESHOLD
    print(f"ethoframe: {result.epochs_run} epochs in {train_minutes:.1f} min ({result.stopped}), node threshold {threshold:g}", flush=True)
    predictor = load_predictor(load_checkpoint(result.best_path, "pose"), torch.device("cpu"))
    truth = split.truth()
    with open_video(split.video, threads=False) as reader:  # warm-up on its own reader: no cached frame
        predictor.predict([np.array(reader.read(next(iter(truth))))])
    predicted, model_s, end_to_end_s = {}, 0.0, 0.0
    with open_video(split.video, threads=False) as reader:
        for index in truth:
            began = time.perf_counter()
            image = np.array(reader.read(index))
            decoded = time.perf_counter()
            (found,) = predictor.predict([image])
            done = time.perf_counter()
            model_s, end_to_end_s = model_s + done - decoded, end_to_end_s + done - began
            keypoints = [apply_node_threshold(i.keypoints, i.keypoint_scores, threshold) for i in found]
            predicted[index] = (np.stack(keypoints) if found else np.zeros((0, truth[index].shape[1], 3)),
                                np.array([i.score or 0.0 for i in found]))  # fmt: skip
    metrics = score(truth, predicted)
    metrics.update(fps_model=len(truth) / model_s, fps_end_to_end=len(truth) / end_to_end_s, train_minutes=train_minutes,
                   epochs=result.epochs_run, node_threshold=threshold, stopped=result.stopped)  # fmt: skip
    return metrics


def run_peer(split: Split, minutes: float, threads: int, work: Path) -> dict:
    from peers.sleap_nn_env import run_sleap_nn

    folder = work / "sleap-nn"
    shutil.rmtree(folder, ignore_errors=True)
    train = write_slp_for_peer(split.train, folder / "train.slp")
    test = write_slp_for_peer(split.test, folder / "test.slp")
    out = run_sleap_nn(train, test, minutes, threads, folder / "run")
    truth = split.truth()
    n_nodes = next(iter(truth.values())).shape[1]
    predicted = {}
    for frame in out["frames"]:
        keypoints = np.zeros((len(frame["instances"]), n_nodes, 3))
        for k, instance in enumerate(frame["instances"]):
            for n, point in enumerate(instance["points"]):
                if point is not None:
                    keypoints[k, n] = (point[0], point[1], 2)
        predicted[frame["frame"]] = (keypoints, np.array([i["score"] for i in frame["instances"]], dtype=float))
    metrics = score(truth, predicted)
    metrics.update(
        fps_model=out["n_frames"] / out["model_only_s"], fps_end_to_end=out["n_frames"] / out["end_to_end_s"],
        train_minutes=out["train_s"] / 60, epochs=sum(s["epochs"] or 0 for s in out["stages"]),
        version=out["sleap_nn_version"], pipeline=out["pipeline"], stages=out["stages"], threads=out["threads"],
    )  # fmt: skip
    return metrics


def table(name: str, results: dict[str, dict]) -> str:
    """The metrics side by side, and their ratio ethoframe / sleap-nn ('-' where either lacks one)."""
    ours, peer = results.get("ethoframe", {}), results.get("sleap-nn", {})
    number = lambda v: isinstance(v, (int, float)) and np.isfinite(v)  # noqa: E731
    lines = [f"\n{name}", f"{'metric':<24}{'ethoframe':>12}{'sleap-nn':>12}{'ratio':>9}"]
    for key in ROWS:
        a, b = ours.get(key), peer.get(key)
        cell = lambda v: f"{v:12.3f}" if number(v) else f"{'-':>12}"  # noqa: E731
        ratio = f"{a / b:9.2f}" if number(a) and number(b) and b else f"{'-':>9}"
        lines.append(f"{key:<24}{cell(a)}{cell(b)}{ratio}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=("fly", "mouse", "both"), default="both")
    parser.add_argument("--minutes", type=float, default=15.0, help="training budget per tool and dataset")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", choices=("ethoframe", "sleap-nn"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "bench_pose_peers.json",
                        help="results as JSON (default in bench/out/, which git ignores)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ethoframe-bench-peers"), help="projects, .slp splits, models")
    parser.add_argument("--options", default="{}", help="Ethoframe pose options as JSON")
    args = parser.parse_args(argv)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    torch.set_num_threads(args.threads)

    splits = {"fly": fly_split, "mouse": mouse_split}
    names = ["fly", "mouse"] if args.dataset == "both" else [args.dataset]
    tools = [args.only] if args.only else ["ethoframe", "sleap-nn"]
    report: dict = {"minutes": args.minutes, "threads": args.threads, "datasets": {}}
    for name in names:
        split = splits[name]()
        print(f"{name}: {len(split.train.instances)} train instances on {len({i.frame_index for i in split.train.instances})} "
              f"frames, {len(split.test.instances)} test instances on {len(split.truth())} frames", flush=True)  # fmt: skip
        results: dict[str, dict] = {}
        for tool in tools:
            work = args.work / name
            if tool == "ethoframe":
                results[tool] = run_ethoframe(split, args.minutes, work, json.loads(args.options))
            else:
                results[tool] = run_peer(split, args.minutes, args.threads, work)
        report["datasets"][name] = results
        print(table(name, results), flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1, default=float))
    return report


if __name__ == "__main__":
    main()
