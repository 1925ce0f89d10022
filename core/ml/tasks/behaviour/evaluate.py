"""Scoring a behaviour model, with plainly named figures: `macro_f1_frame`, `macro_f1_event`,
`per_behaviour` {name: precision, recall, f1 (frames) and event_precision, event_recall,
event_f1}, and `confusion` (exclusive behaviours: rows true, columns predicted, "none" last).

By default the model is scored on the coded frames held out of training (the same stable split
the trainer used), against the user's events; with a truth source (`truth`, e.g. the demo's
kept-apart ground truth) on every frame the user did not code, against what the source says. Behaviours the truth holds but the
model never learnt (no events) count in the macro figures with F1 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.ml.evaluation_truth import HELD_OUT_EVENTS, TruthSource
from core.ml.events import Emit
from core.ml.tasks.behaviour.config import BehaviourConfig
from core.ml.tasks.behaviour.data import held_out_frames, load_behaviour_labels
from core.ml.tasks.behaviour.jobs import (
    behaviour_model,
    load_probabilities,
    predict_behaviour,
)
from core.ml.tasks.behaviour.metrics import (
    confusion_matrix,
    event_scores,
    frame_scores,
    labels_of,
    macro_f1,
)
from core.ml.tasks.behaviour.postprocess import bouts_to_mask
from core.ml.tasks.behaviour.store import Durations, Thresholds, VideoProbabilities
from core.project import Project

Truth = list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # per sequence: truth (F, N), predicted (F, N), valid (F,)


def _named_truth(project: Project, truth: TruthSource, results: dict[int, VideoProbabilities], names: list[str],
                 thresholds, min_duration) -> Truth:  # fmt: skip
    """Per subject of each predicted video: what `truth` says it does, on the frames the user did
    not code for it (coded frames trained the model)."""
    out: Truth = []
    for video_id, result in results.items():
        known = truth.behaviour_frames(project, video_id)
        user = project.events.in_video(video_id, source="user")
        for row, subject in enumerate(result.subjects):
            if subject not in known:
                continue
            frames = result.probabilities.shape[1]
            true = np.stack([known[subject].get(n, np.zeros(frames, bool)) for n in names], 1)
            valid = np.ones(frames, bool)
            for e in user:
                if e.subject_id == subject and e.end_frame is not None:
                    valid[e.start_frame : e.end_frame + 1] = False
            out.append((true, _predicted(result, row, names, thresholds, min_duration), valid))
    return out


def _predicted(result: VideoProbabilities, row: int, names: list[str], thresholds, min_duration) -> np.ndarray:
    mask = bouts_to_mask(result.bouts(row, thresholds, min_duration), result.probabilities.shape[1], len(result.names))
    out = np.zeros((mask.shape[0], len(names)), bool)
    for n, name in enumerate(result.names):
        out[:, names.index(name)] = mask[:, n]
    return out


def _held_out_truth(project: Project, model, results: dict[int, VideoProbabilities], names: list[str], thresholds, min_duration) -> Truth:
    config = BehaviourConfig.from_dict(model.config.get("adapter", {}).get("config", {}))
    labels = load_behaviour_labels(project, config)
    val = held_out_frames(project, labels, config)
    out: Truth = []
    for sequence in labels.sequences:
        result = results.get(sequence.video_id)
        if result is None or sequence.subject_id not in result.subjects:
            continue
        true = np.zeros((len(sequence.coded), len(names)), bool)
        for n, b in enumerate(labels.behaviours):
            true[:, names.index(b.name)] = sequence.targets[:, n] > 0.5
        valid = sequence.coded & np.array([(sequence.video_id, f) in val for f in range(len(sequence.coded))])
        out.append((true, _predicted(result, result.row_of(sequence.subject_id), names, thresholds, min_duration), valid))
    return out


def _joined(parts: Truth) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sequences end to end, one invalid frame between them so no bout spans two subjects."""
    n = parts[0][0].shape[1]
    gap = (np.zeros((1, n), bool), np.zeros((1, n), bool), np.zeros(1, bool))
    pieces = [piece for part in parts for piece in (part, gap)]
    return tuple(np.concatenate([p[i] for p in pieces]) for i in range(3))  # type: ignore[return-value]


def evaluate_behaviour(project: Project, model_id: int | None = None, device: str = "auto", thresholds: Thresholds = None,
                       min_duration: Durations = None, emit: Emit = lambda _e: None,
                       truth: TruthSource | None = None, task: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Scores of a behaviour-machinery model (default: the newest of `task`, itself by default
    "behaviour") on the held-out coded frames, or against `truth` on every frame the user did not
    code; predicts videos it has not predicted yet."""
    model = behaviour_model(project, model_id, task)
    state = model.config.get("adapter", {})
    names = [b["name"] for b in state.get("behaviours", [])]
    video_ids = sorted({e.video_id for v in project.videos.all() for e in project.events.in_video(v.id, source="user")})
    results: dict[int, VideoProbabilities] = {}
    for video_id in video_ids or [v.id for v in project.videos.all()][:1]:
        result = load_probabilities(project, video_id, model.id)
        if result is None:
            predict_behaviour(project, model.id, video_id, emit, device=device)
            result = load_probabilities(project, video_id, model.id)
        results[video_id] = result
    if truth is None:
        source = HELD_OUT_EVENTS
        parts = _held_out_truth(project, model, results, names, thresholds, min_duration)
    else:
        source = truth.name
        told = {name for video_id in results for frames in truth.behaviour_frames(project, video_id).values() for name in frames}
        order = [b.name for b in project.behaviours.all()]
        names = names + sorted(told - set(names), key=lambda n: (order.index(n) if n in order else len(order), n))
        parts = _named_truth(project, truth, results, names, thresholds, min_duration)
    parts = [p for p in parts if p[2].any()]
    if not parts:
        where = "no held-out coded frames (code more events, or name a truth source: --truth demo in the demo project)"
        raise ValueError(f"nothing to evaluate on: {where if truth is None else f'the {truth.name} has no uncoded frames of these subjects'}")
    truth, predicted, valid = _joined(parts)
    frames, events = frame_scores(truth, predicted, valid), event_scores(truth, predicted, valid)
    per_behaviour = {
        name: {"precision": f["precision"], "recall": f["recall"], "f1": f["f1"], "support": f["support"],
               "event_precision": e["precision"], "event_recall": e["recall"], "event_f1": e["f1"], "event_support": e["support"],
               "trained": name in [b["name"] for b in state.get("behaviours", [])]}
        for name, f, e in zip(names, frames, events)
    }  # fmt: skip
    report: dict[str, Any] = {
        "model_id": model.id, "task": model.task, "evaluated_on": source, "frames": int(valid.sum()),
        "exclusive": bool(state.get("n_exclusive")), "macro_f1_frame": macro_f1(frames), "macro_f1_event": macro_f1(events),
        "per_behaviour": per_behaviour,
    }  # fmt: skip
    if state.get("n_exclusive"):
        matrix = confusion_matrix(labels_of(truth), labels_of(predicted), len(names), valid)
        report["confusion"] = {"labels": names + ["none"], "matrix": matrix.tolist()}
    return report
