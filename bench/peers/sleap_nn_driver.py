"""Train and run sleap-nn on a train/test pair of .slp files; run by bench_pose_peers.py inside
sleap-nn's own virtual environment (it imports nothing from Ethoframe).

    python sleap_nn_driver.py --train train.slp --test test.slp --minutes 15 --threads 1 --out DIR

Models: sleap-nn's own recommended configs (`ConfigGenerator.from_slp(train).auto(view="top")`,
what its `sleap-nn config` command and web app emit), sized for one CPU thread by `cpu_sized`
(smaller centroid and single-instance inputs), with the pipeline forced to top-down
(centroid + centered-instance) when a training frame holds more than one animal, else
single-instance. Only what a benchmark needs is changed: CPU, `--threads` threads, no data
workers, no progress bar or prediction previews, checkpoints in DIR/models, and a wall-clock
deadline per stage, counted from its first training batch as Ethoframe's budget counts its
training loop (a callback sets `trainer.should_stop` once the stage's minutes are spent;
Lightning then validates once more and `best.ckpt` keeps the best validation loss, as at a
normal end). Top-down splits the minutes 40% centroid / 60% centered-instance, the instance stage
also getting whatever the centroid stage left unused (its early stopping may end it sooner).

Writes DIR/predictions.json: per test frame (video path, frame index) each predicted instance's
points (null where sleap-nn found no peak), point scores and instance score, plus training facts
and inference times: end to end (frames read from the video and decoded by sleap-nn's
provider, model, peak finding, instance assembly) and model only (frames decoded beforehand and
given as an array), both after one warm-up frame.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _threads(n: int) -> None:
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(n)
    os.environ["CUDA_VISIBLE_DEVICES"] = ""  # CPU only, like the Ethoframe side


def _deadline_trainer(seconds: float, clock: dict):
    """A `lightning.Trainer` subclass that stops training `seconds` after its first batch (as
    Ethoframe's budget counts its training loop, not the data setup before it)."""
    import lightning as L

    class Deadline(L.Callback):
        deadline = float("inf")

        def on_train_start(self, trainer, *args, **kwargs) -> None:
            clock["start"] = time.monotonic()
            self.deadline = clock["start"] + seconds

        def on_train_batch_end(self, trainer, *args, **kwargs) -> None:
            if time.monotonic() >= self.deadline:
                trainer.should_stop = True

    class DeadlineTrainer(L.Trainer):
        def __init__(self, *args, callbacks=None, **kwargs) -> None:
            super().__init__(*args, callbacks=[*(callbacks or []), Deadline()], **kwargs)

    return DeadlineTrainer


def _benchmark_settings(config, ckpt_dir: Path, run_name: str, threads: int):
    trainer = config.trainer_config
    trainer.trainer_accelerator = "cpu"
    trainer.trainer_devices = 1
    trainer.train_data_loader.num_workers = 0
    trainer.val_data_loader.num_workers = 0
    trainer.enable_progress_bar = False
    trainer.visualize_preds_during_training = False
    trainer.max_epochs = 10_000  # the deadline ends training, or sleap-nn's early stopping
    trainer.ckpt_dir = str(ckpt_dir)
    trainer.run_name = run_name
    trainer.save_ckpt = True
    trainer.use_wandb = False
    return config


def train_stage(config, seconds: float) -> dict:
    """Train one model for `seconds` of training loop; its facts (`seconds`: setup included)."""
    import lightning as L
    from sleap_nn.training import model_trainer

    began = time.monotonic()
    original = model_trainer.L.Trainer
    clock: dict = {}
    model_trainer.L.Trainer = _deadline_trainer(seconds, clock)
    try:
        trainer = model_trainer.ModelTrainer.get_model_trainer_from_config(config)
        trainer.train()
    finally:
        model_trainer.L.Trainer = original
    loop_s = time.monotonic() - clock.get("start", time.monotonic())
    run = Path(config.trainer_config.ckpt_dir) / config.trainer_config.run_name
    lightning = trainer.trainer
    facts = {
        "run": str(run),
        "seconds": time.monotonic() - began,
        "train_loop_s": loop_s,
        "epochs": int(lightning.current_epoch) if isinstance(lightning, L.Trainer) else None,
        "steps": int(lightning.global_step) if isinstance(lightning, L.Trainer) else None,
        "best_val_loss": _float(getattr(lightning.checkpoint_callback, "best_model_score", None)),
        "has_best": (run / "best.ckpt").is_file(),
        "train_frames": len(trainer.train_labels[0]),
        "val_frames": len(trainer.val_labels[0]),
    }
    print(f"sleap-nn {config.trainer_config.run_name}: {facts['epochs']} epochs, {facts['steps']} steps "
          f"in {facts['seconds'] / 60:.1f} min", flush=True)  # fmt: skip
    return facts


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def configs(train: Path, models: Path, threads: int) -> tuple[str, list]:
    """(pipeline, [(stage name, config), ...]) from sleap-nn's recommender."""
    import sleap_io as sio
    from sleap_nn.config_generator import ConfigGenerator

    labels = sio.load_slp(str(train))
    most = max(len(f.user_instances) for f in labels.labeled_frames)
    generator = ConfigGenerator.from_slp(str(train)).auto(view="top")
    if most > 1:
        generator.pipeline("centroid")
        stages = [("centroid", generator.build_centroid()), ("centered_instance", generator.build_centered_instance())]
        pipeline = "topdown"
    else:
        generator.pipeline("single_instance")
        stages = [("single_instance", generator.build())]
        pipeline = "single_instance"
    for name, config in stages:
        cpu_sized(name, config)
    return pipeline, [(name, _benchmark_settings(c, models, name, threads)) for name, c in stages]


def cpu_sized(stage: str, config) -> None:
    """The recommender's configs sized for one CPU thread, as a CPU user of sleap-nn would set
    them: its centroid frames at scale 0.5 (512x512 on the fly clip) did 56 steps in 6 minutes
    and found no fly; at 0.25 (Ethoframe's centroid scale is 0.3 there) a step is ~4x cheaper.
    The single-instance model's 512x512 input with max stride 128 took ~10 s a step: scale 0.5
    and max stride 32 instead. Centered-instance crops stay as recommended."""
    preprocessing = config.data_config.preprocessing
    unet = config.model_config.backbone_config.unet
    if stage == "centroid":
        preprocessing.scale = min(float(preprocessing.scale or 1.0), 0.25)
    elif stage == "single_instance":
        preprocessing.scale = min(float(preprocessing.scale or 1.0), 0.5)
        unet.max_stride = min(int(unet.max_stride), 32)


def predict(model_dirs: list[str], test: Path) -> dict:
    """Predictions and timings on every labelled frame of `test` (its labels are not given to
    the model: frames are read from the videos by index)."""
    import numpy as np
    import sleap_io as sio
    from sleap_nn.inference.predictor import Predictor

    labels = sio.load_slp(str(test))
    predictor = Predictor.from_model_paths(model_dirs, device="cpu", batch_size=4, peak_threshold=0.2)
    wanted: dict[int, tuple] = {}
    for frame in labels.labeled_frames:
        wanted.setdefault(id(frame.video), (frame.video, []))[1].append(int(frame.frame_idx))
    first_video, first_frames = next(iter(wanted.values()))
    predictor.predict(first_video, frames=first_frames[:1])  # warm-up
    out, n_frames, end_to_end, model_only, decode = [], 0, 0.0, 0.0, 0.0
    for video, frames in wanted.values():
        began = time.perf_counter()
        predicted = predictor.predict(video, frames=frames)
        end_to_end += time.perf_counter() - began
        n_frames += len(frames)
        began = time.perf_counter()
        images = np.stack([np.asarray(video[f]) for f in frames])
        decode += time.perf_counter() - began
        began = time.perf_counter()
        predictor.predict(images, make_labels=False)
        model_only += time.perf_counter() - began
        # An image sequence is named by its folder (its file list is long).
        name = video.filename if isinstance(video.filename, str) else str(Path(video.filename[0]).parent)
        by_index = {int(f.frame_idx): f for f in predicted.labeled_frames}
        for index in frames:
            instances = []
            frame = by_index.get(index)
            for instance in frame.instances if frame is not None else []:
                xy = instance.numpy()
                scores = getattr(instance, "points", None)
                point_scores = np.asarray(scores["score"], dtype=float) if scores is not None and "score" in scores.dtype.names else np.ones(len(xy))
                instances.append({
                    "points": [None if not np.isfinite(p).all() else [float(p[0]), float(p[1])] for p in xy],
                    "scores": [float(s) if np.isfinite(s) else 0.0 for s in point_scores],
                    "score": float(getattr(instance, "score", 1.0) or 0.0),
                })  # fmt: skip
            out.append({"video": name, "frame": index, "instances": instances})
    return {
        "frames": out,
        "n_frames": n_frames,
        "end_to_end_s": end_to_end,
        "model_only_s": model_only,
        "decode_s": decode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--test", type=Path, required=True)
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    _threads(args.threads)

    import json

    import sleap_nn
    import torch

    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    budget = args.minutes * 60
    pipeline, stages = configs(args.train, args.out / "models", args.threads)
    shares = [0.4, 0.6] if len(stages) == 2 else [1.0]
    trained, spent = [], 0.0
    for (name, config), share in zip(stages, shares):
        # A stage gets its share plus whatever the stages before it left unused.
        seconds = budget * sum(shares[: len(trained) + 1]) - spent
        facts = train_stage(config, seconds)
        spent += facts["train_loop_s"]
        trained.append({"stage": name, "budget_s": seconds, **facts})
    train_seconds = time.monotonic() - began
    result = predict([t["run"] for t in trained], args.test)
    result.update(
        sleap_nn_version=sleap_nn.__version__, torch_version=torch.__version__, threads=torch.get_num_threads(),
        pipeline=pipeline, stages=trained, train_s=train_seconds,
    )  # fmt: skip
    (args.out / "predictions.json").write_text(json.dumps(result))
    print(f"sleap-nn: predictions for {result['n_frames']} frames in {args.out / 'predictions.json'}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
