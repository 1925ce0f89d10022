"""The behaviour task as the shared trainer sees it (`core.ml.tasks.base.TaskAdapter`).

Building the adapter reads the coded events (`data.py`), computes or reads the cached video
features once, and splits the coded frames into training and validation by blocks of
consecutive frames (`core.ml.data.split`, the same stable split as the other tasks). An epoch
is `samples_per_epoch` windows of `window` frames centred on training frames; the loss is a
class-weighted cross-entropy over the exclusive behaviours and "none" plus a weighted binary
cross-entropy for independent ones, counted on coded training frames only. Validation runs the
head over whole sequences and reports `val_macro_f1` (the monitored metric) and `val_loss`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from core.ml.tasks.behaviour.config import BehaviourConfig
from core.ml.tasks.behaviour.data import (
    BehaviourLabels,
    held_out_frames,
    load_behaviour_labels,
)
from core.ml.tasks.behaviour.features import VideoFeatures
from core.ml.tasks.behaviour.inputs import (
    InputLayout,
    count_nodes,
    position_coverage,
    read_tracks,
    skeleton_edges,
    video_inputs,
)
from core.ml.tasks.behaviour.metrics import frame_scores, macro_f1
from core.ml.tasks.behaviour.model import TemporalHead, probabilities
from core.ml.tasks.behaviour.postprocess import bouts_to_mask, to_bouts
from core.ml.tasks.behaviour.pseudo_labels import PseudoLabels, softmax_group

Batch = dict[str, torch.Tensor]


def build_model_from_state(state: dict[str, Any]) -> TemporalHead:
    config = BehaviourConfig.from_dict(state["config"])
    n_out = len(state["behaviours"]) + (1 if state["n_exclusive"] else 0)
    return TemporalHead(state["layout"]["frame_dims"] + state["layout"]["crop_dims"] + state["pose_dims"], n_out,
                        config.hidden, tuple(config.dilations), config.dropout)  # fmt: skip


def run_sequence(model: TemporalHead, inputs: np.ndarray, device: torch.device, chunk: int = 4096) -> torch.Tensor:
    """Logits (F, outputs) of a whole sequence, in overlapping chunks (exact: each chunk carries
    the head's receptive field on both sides)."""
    margin = model.receptive_field
    outputs = []
    x = torch.from_numpy(inputs)
    for start in range(0, len(inputs), chunk):
        lo, hi = max(0, start - margin), min(len(inputs), start + chunk + margin)
        logits = model(x[lo:hi].unsqueeze(0).to(device))[0]
        outputs.append(logits[start - lo : start - lo + min(chunk, len(inputs) - start)].float().cpu())
    return torch.cat(outputs)


class BehaviourAdapter:
    task = "behaviour"
    monitor = "val_macro_f1"
    monitor_mode = "max"

    def __init__(self, project, options: dict[str, Any] | None = None, progress=None, cancel=None, task: str = "behaviour") -> None:
        self.task = task  # the model task it trains for ("classify": whole-frame events only), its checkpoints' `task`
        self.config = config = BehaviourConfig.from_options(options)
        self.labels: BehaviourLabels = load_behaviour_labels(project, config)
        self.warnings = list(self.labels.warnings)
        videos = sorted({s.video_id for s in self.labels.sequences})
        tracks = read_tracks(project, videos, config.max_gap)
        n_nodes = count_nodes(tracks) if config.pose else 0
        if config.video == "auto":
            config.video = not config.pose or position_coverage(tracks, self.labels.sequences) < 0.5
            if config.video and config.pose:
                self.warnings.append("most coded frames have no tracked position of their subject: the model learns from the "
                                     "video itself (slow the first time); track the animals for pose features")  # fmt: skip
        self.layout = InputLayout.of(config, n_nodes, skeleton_edges(project, n_nodes))
        self.features = VideoFeatures(project, config) if config.video else None
        self.inputs: list[np.ndarray] = []
        for video_id in videos:
            sequences = [s for s in self.labels.sequences if s.video_id == video_id]
            subjects = [s.subject_id for s in sequences]
            built = video_inputs(project, config, self.layout, video_id, subjects, self.features, progress, cancel, tracks[video_id])
            self.inputs += [built[s.subject_id] for s in sequences]
        self.labels.sequences = [s for v in videos for s in self.labels.sequences if s.video_id == v]  # as `inputs`

        val_set = held_out_frames(project, self.labels, config)
        self.train_masks, self.val_masks = [], []
        for s in self.labels.sequences:
            is_val = np.array([(s.video_id, f) in val_set for f in range(len(s.coded))]) if val_set else np.zeros(len(s.coded), bool)
            self.train_masks.append(s.coded & ~is_val)
            self.val_masks.append(s.coded & is_val)
        if not any(m.any() for m in self.val_masks):
            self.val_masks = self.train_masks  # too few coded frames to hold any apart
            self.warnings.append("too few coded frames to hold some apart: validation scores the training frames")
        # Standardised over every frame of the videos, not only the coded ones: inputs carry no
        # labels, and a column constant on the coded frames (a "missing" flag) must not blow up
        # to thousands of standard deviations on the first frame where it changes.
        rows = np.concatenate(self.inputs)
        self.mean, self.std = rows.mean(axis=0), np.maximum(rows.std(axis=0), 0.05)
        self._weights()
        self.generator = np.random.default_rng(config.seed)
        self.pseudo = None
        if config.pseudo_labels and self.n_exclusive and self.n_exclusive == len(self.labels.behaviours):
            self.pseudo = PseudoLabels(len(self.inputs), config.pseudo_threshold, config.pseudo_weight, config.pseudo_after, config.pseudo_every)

    # --- what the model predicts -----------------------------------------------------------

    @property
    def n_exclusive(self) -> int:
        return self.labels.n_exclusive

    def _class_targets(self, targets: np.ndarray) -> np.ndarray:
        """(F,) index into the softmax group: the exclusive behaviour on, or "none"."""
        exclusive = targets[:, : self.n_exclusive]
        return np.where(exclusive.any(axis=1), exclusive.argmax(axis=1), self.n_exclusive)

    def _weights(self) -> None:
        power, n_ex = self.config.class_weight_power, self.n_exclusive
        rows = np.concatenate([s.targets[m] for s, m in zip(self.labels.sequences, self.train_masks)])
        if n_ex:
            counts = np.bincount(self._class_targets(rows), minlength=n_ex + 1).astype(np.float64)
            present = counts > 0
            weights = np.zeros(n_ex + 1)
            weights[present] = (counts.sum() / (present.sum() * counts[present])) ** power
            self.class_weights = torch.tensor(np.clip(weights, 0.0, 20.0), dtype=torch.float32)
        positives = rows[:, n_ex:].sum(axis=0)
        negatives = len(rows) - positives
        self.pos_weights = torch.tensor(np.clip((negatives / np.maximum(positives, 1)) ** power, 1.0, 50.0), dtype=torch.float32)

    def state(self) -> dict[str, Any]:
        behaviours = [{"id": b.id, "name": b.name, "kind": b.kind, "color": b.color} for b in self.labels.behaviours]
        return {"config": self.config.to_dict(), "behaviours": behaviours, "n_exclusive": self.n_exclusive,
                "exclusive": self.labels.exclusive, "layout": self.layout.to_dict(),
                "pose_dims": self.layout.dims - self.layout.frame_dims - self.layout.crop_dims,
                "per_subject": any(s.subject_id is not None for s in self.labels.sequences),
                "whole_frame": any(s.subject_id is None for s in self.labels.sequences),
                "warnings": self.warnings,
                "coded_frames": int(sum(s.coded.sum() for s in self.labels.sequences)),
                "train_frames": int(sum(m.sum() for m in self.train_masks)),
                "val_frames": int(sum(m.sum() for m in self.val_masks))}  # fmt: skip

    def build_model(self) -> nn.Module:
        model = build_model_from_state(self.state())
        model.set_standardisation(torch.from_numpy(self.mean), torch.from_numpy(self.std))
        return model

    # --- training --------------------------------------------------------------------------

    @property
    def samples_per_epoch(self) -> int:
        """Windows per epoch: the configured number, or a quarter of the training frames
        (at least 256, at most 2048) so an epoch means about the same on any amount of coding."""
        if self.config.samples_per_epoch > 0:
            return self.config.samples_per_epoch
        return int(np.clip(sum(int(m.sum()) for m in self.train_masks) // 4, 256, 2048))

    def _window(self, n: int, centre: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(inputs, targets, weights) of `window` frames around `centre`: weight 1 on coded
        training frames, the pseudo-label weight on pseudo-labelled ones, 0 elsewhere."""
        inputs, size = self.inputs[n], self.config.window
        start = centre - size // 2
        index = np.clip(np.arange(start, start + size), 0, len(inputs) - 1)
        inside = (np.arange(start, start + size) >= 0) & (np.arange(start, start + size) < len(inputs))
        targets, coded = self.labels.sequences[n].targets[index], self.train_masks[n][index] & inside
        weights = coded.astype(np.float32)
        pseudo = self.pseudo.window(n, index) if self.pseudo is not None else None
        if pseudo is not None:
            extra = pseudo[1] & inside & ~coded
            targets = np.where(extra[:, None], pseudo[0], targets)
            weights[extra] = self.pseudo.weight
        return inputs[index], targets, weights

    def train_batches(self, epoch: int, rank: int = 0, world_size: int = 1) -> Iterator[Batch]:
        rng = np.random.default_rng(self.config.seed * 1000 + epoch)
        centres = [(n, f) for n, mask in enumerate(self.train_masks) for f in np.flatnonzero(mask)]
        if self.pseudo is not None and self.pseudo.count:  # as many windows again around pseudo-labelled frames
            pseudo = [(n, f) for n, mask in enumerate(self.pseudo.masks) if mask is not None for f in np.flatnonzero(mask)]
            centres += [pseudo[i] for i in rng.integers(len(pseudo), size=len(centres))]
        picks = rng.integers(len(centres), size=self.samples_per_epoch)
        size = self.config.batch_size
        for b in range(rank, max(1, len(picks) // size), world_size):
            windows = [self._window(*centres[i]) for i in picks[b * size : (b + 1) * size]]
            yield {"inputs": torch.from_numpy(np.stack([w[0] for w in windows])),
                   "targets": torch.from_numpy(np.stack([w[1] for w in windows])),
                   "mask": torch.from_numpy(np.stack([w[2] for w in windows]))}  # fmt: skip

    def to_device(self, batch: Batch, device: torch.device) -> Batch:
        return {k: v.to(device) for k, v in batch.items()}

    def batch_size_of(self, batch: Batch) -> int:
        return int(batch["inputs"].shape[0])

    def _loss(self, logits: torch.Tensor, targets: torch.Tensor, weight: torch.Tensor) -> dict[str, torch.Tensor]:
        """Class-weighted losses over the frames with `weight` > 0, each frame counting by its weight."""
        n_ex, parts = self.n_exclusive, {}
        mask = weight > 0
        logits, targets, weight = logits[mask].float(), targets[mask], weight[mask].float()
        zero = logits.sum() * 0.0
        if n_ex:
            exclusive = targets[:, :n_ex]
            classes = torch.where(exclusive.any(dim=1), exclusive.argmax(dim=1), torch.full_like(exclusive[:, 0], n_ex, dtype=torch.long)).long()
            weights = self.class_weights.to(logits.device)
            per_frame = F.cross_entropy(logits[:, : n_ex + 1], classes, weight=weights, reduction="none")
            parts["exclusive"] = (per_frame * weight).sum() / (weights[classes] * weight).sum().clamp_min(1e-6) if len(classes) else zero
        if logits.shape[1] > n_ex + (1 if n_ex else 0):
            independent = logits[:, n_ex + (1 if n_ex else 0) :]
            per_frame = F.binary_cross_entropy_with_logits(independent, targets[:, n_ex:], pos_weight=self.pos_weights.to(logits.device),
                                                           reduction="none").mean(dim=1)  # fmt: skip
            parts["independent"] = (per_frame * weight).sum() / weight.sum().clamp_min(1e-6) if len(independent) else zero
        parts["loss"] = sum(parts.values())
        return parts

    def losses(self, model: nn.Module, batch: Batch) -> dict[str, torch.Tensor]:
        return self._loss(model(batch["inputs"]), batch["targets"], batch["mask"])

    # --- validation ------------------------------------------------------------------------

    def evaluate(self, model: nn.Module, device: torch.device) -> dict[str, float]:
        truth, found, loss, count = [], [], 0.0, 0
        points = self.labels.points
        relabel = self.pseudo is not None and self.pseudo.due()  # then every sequence runs, not only validation's
        group: list[np.ndarray] = []  # the exclusive group's probabilities per sequence, for pseudo-labels
        for inputs, sequence, mask in zip(self.inputs, self.labels.sequences, self.val_masks):
            if not (mask.any() or relabel):
                continue
            logits = run_sequence(model, inputs, device)
            if relabel:
                group.append(softmax_group(logits, self.n_exclusive))
            if not mask.any():
                continue
            frames = int(mask.sum())
            loss += float(self._loss(logits, torch.from_numpy(sequence.targets), torch.from_numpy(mask.astype(np.float32)))["loss"]) * frames
            count += frames
            p = probabilities(logits, self.n_exclusive).numpy()
            predicted = self._binarise(p, points)
            truth.append(sequence.targets[mask] > 0.5)
            found.append(predicted[mask])
        scores = frame_scores(np.concatenate(truth), np.concatenate(found))
        metrics = {"val_loss": loss / max(count, 1), "val_macro_f1": macro_f1(scores) or 0.0}
        if relabel:
            self.pseudo.refresh(group, [s.coded for s in self.labels.sequences], self.n_exclusive, len(self.labels.behaviours))
        if self.pseudo is not None and self.pseudo.refreshed:
            uncoded = sum(int((~s.coded).sum()) for s in self.labels.sequences)
            metrics["pseudo_labelled"] = self.pseudo.count / max(uncoded, 1)  # share of the uncoded frames, 0-1 (plots beside F1)
        metrics.update({f"val_f1_{b.name}": s["f1"] for b, s in zip(self.labels.behaviours, scores)})
        return metrics

    def _binarise(self, p: np.ndarray, points: list[bool]) -> np.ndarray:
        """Frame masks without the minimum duration (the raw per-frame opinion)."""
        n_ex = self.n_exclusive
        mask = p >= 0.5
        if n_ex:
            mask[:, :n_ex] = bouts_to_mask(to_bouts(p[:, :n_ex], exclusive=True), len(p), n_ex)
        return mask

    def preview(self, model: nn.Module, device: torch.device, n: int = 4) -> list[dict[str, Any]]:
        return []  # behaviour previews are the validation F1 per behaviour in the epoch metrics
