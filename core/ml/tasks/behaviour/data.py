"""The behaviour task's labels: coded events turned into per-frame targets per (video, subject).

A sequence is one subject (a track, or None for behaviours of the whole frame) in one video.
Its targets are `(n_frames, n_behaviours)` 0/1 with a `coded` mask of the frames whose labels
are known. Everything odd about the events is either fixed with a warning (events past the
video's end are cut, open events skipped, overlaps of exclusive behaviours ignored) or, when
nothing could be learnt, refused with a `TrainingDataError` saying what to code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from core.domain import Behaviour, BehaviourEvent
from core.ml.data.split import split_frames
from core.ml.tasks.behaviour.config import BehaviourConfig
from core.ml.tasks.behaviour.postprocess import runs
from core.ml.tasks.errors import TrainingDataError

MIN_CODED_FRAMES = 20


@dataclass
class Sequence:
    """One (video, subject): `targets` (n_frames, n_behaviours) float32 0/1, `coded` (n_frames,)
    bool frames whose labels train."""

    video_id: int
    subject_id: int | None
    targets: np.ndarray
    coded: np.ndarray

    @property
    def key(self) -> tuple[int, int | None]:
        return self.video_id, self.subject_id


@dataclass
class BehaviourLabels:
    behaviours: list[Behaviour]  # the trained ones (with events), in column order
    exclusive: bool  # softmax over the state behaviours (+ "none"), else independent sigmoids
    sequences: list[Sequence]
    warnings: list[str] = field(default_factory=list)
    negatives: str = "covered"  # how uncovered frames were read (see `BehaviourConfig.negatives`)

    @property
    def points(self) -> list[bool]:
        return [b.kind == "point" for b in self.behaviours]

    @property
    def n_exclusive(self) -> int:
        """How many leading behaviour columns form the softmax group (0: all independent)."""
        return sum(1 for b in self.behaviours if b.kind == "state") if self.exclusive else 0


def _overlap_frames(events: list[BehaviourEvent]) -> int:
    """Frames where events of different behaviours of one subject overlap."""
    count = 0
    for i, a in enumerate(events):
        for b in events[i + 1 :]:
            if b.start_frame > a.end_frame:
                break
            if a.behaviour_id != b.behaviour_id:
                count += max(0, min(a.end_frame, b.end_frame) - max(a.start_frame, b.start_frame) + 1)
    return count


def _tiles(events: dict[tuple[int, int | None], list[BehaviourEvent]], by_id: dict[int, Behaviour]) -> bool:
    """Whether the coder tiles the timeline: 80% of a subject's state events start right
    where its previous one ends (an exhaustive ethogram, BORIS's "state events" habit)."""
    pairs = adjacent = 0
    for group in events.values():
        states = [e for e in group if by_id[e.behaviour_id].kind == "state"]
        for a, b in pairwise(states):
            pairs += 1
            adjacent += b.start_frame <= a.end_frame + 1
    return pairs > 0 and adjacent >= 0.8 * pairs


def load_behaviour_labels(project, config: BehaviourConfig) -> BehaviourLabels:
    """The user's coded events as training sequences; raises `TrainingDataError` when they cannot
    train a model, and lists what was fixed or left out in `warnings`."""
    warnings: list[str] = []
    behaviours = project.behaviours.all()
    if not behaviours:
        raise TrainingDataError("this project has no ethogram: define behaviours and code some events first")
    by_id = {b.id: b for b in behaviours}
    videos = {v.id: v for v in project.videos.all()}
    missing = {v.id for v in project.videos.missing()}
    events: dict[tuple[int, int | None], list[BehaviourEvent]] = {}
    skipped_open = skipped_outside = cut = 0
    for video_id, video in videos.items():
        user_events = project.events.in_video(video_id, source="user")
        if user_events and video_id in missing:
            warnings.append(f"video {video.id} ({video.path}) cannot be found: its {len(user_events)} events are left out (relink it)")
            continue
        for event in user_events:
            if event.behaviour_id not in by_id or (config.subjects == "frame" and event.subject_id is not None):
                continue
            if event.end_frame is None:
                skipped_open += 1
                continue
            start, end = max(event.start_frame, 0), min(event.end_frame, video.frame_count - 1)
            if start > end:
                skipped_outside += 1
                continue
            if (start, end) != (event.start_frame, event.end_frame):
                cut += 1
            events.setdefault((video_id, event.subject_id), []).append(event.with_changes(start_frame=start, end_frame=end))
    if skipped_open:
        warnings.append(f"{skipped_open} event(s) were started but never stopped: they are left out (stop them on the timeline)")
    if skipped_outside:
        warnings.append(f"{skipped_outside} event(s) lie entirely outside their video: they are left out")
    if cut:
        warnings.append(f"{cut} event(s) reach past the ends of their video: they are cut at its last frame")
    if not events and warnings:  # events there were, but none could be read (a missing video, open events)
        raise TrainingDataError("no coded event can train a model: " + "; ".join(warnings))
    if not events and config.subjects == "frame":
        raise TrainingDataError("no events are coded for the whole frame: code some bouts with no subject (the timeline's "
                                "whole-frame row) before training a frame classifier")  # fmt: skip
    if not events:
        raise TrainingDataError("no behaviour events are coded: code some bouts on the timeline before training a behaviour model")

    coded_ids = sorted({e.behaviour_id for group in events.values() for e in group})
    unused = [by_id[b].name for b in sorted(by_id) if b not in coded_ids]
    if unused:
        warnings.append(f"no events of {', '.join(unused)}: the model will not predict {'it' if len(unused) == 1 else 'them'}")
    trained = [by_id[b] for b in coded_ids]
    for group in events.values():
        group.sort(key=lambda e: (e.start_frame, e.end_frame))

    states = [e for group in events.values() for e in group if by_id[e.behaviour_id].kind == "state"]
    overlaps = sum(_overlap_frames([e for e in group if by_id[e.behaviour_id].kind == "state"]) for group in events.values())
    state_frames = sum(e.end_frame - e.start_frame + 1 for e in states)
    if config.multilabel == "auto":
        exclusive = overlaps <= max(2 * len(events), 0.01 * state_frames)  # a frame's overlap at a boundary is a slip
    else:
        exclusive = not config.multilabel
    if exclusive and overlaps:
        warnings.append(f"events of different behaviours overlap on {overlaps} frame(s) of one subject; the behaviours are "
                        "treated as mutually exclusive, so those frames are left out of training "
                        "(set multilabel=true if a subject can do several at once)")  # fmt: skip

    if exclusive:  # the softmax group (states) first, then independent point behaviours
        trained = [b for b in trained if b.kind == "state"] + [b for b in trained if b.kind == "point"]
    column = {b.id: n for n, b in enumerate(trained)}
    negatives = config.negatives
    if negatives == "auto":
        negatives = "covered" if _tiles(events, by_id) else "gaps"
    sequences = []
    half_point = max(config.point_width // 2, 0)
    for (video_id, subject_id), group in sorted(events.items(), key=lambda kv: (kv[0][0], -1 if kv[0][1] is None else kv[0][1])):
        n_frames = videos[video_id].frame_count
        targets = np.zeros((n_frames, len(trained)), np.float32)
        covered = np.zeros(n_frames, bool)
        states_on = np.zeros(n_frames, np.int32)
        for e in group:
            kind = by_id[e.behaviour_id].kind
            lo, hi = (e.start_frame - half_point, e.start_frame + half_point) if kind == "point" else (e.start_frame, e.end_frame)
            lo, hi = max(lo, 0), min(hi, n_frames - 1)
            targets[lo : hi + 1, column[e.behaviour_id]] = 1.0
            covered[lo : hi + 1] = True
        for n, b in enumerate(trained):
            if b.kind == "state":
                states_on += targets[:, n].astype(np.int32)
        coded = covered.copy()
        if negatives == "span":
            coded[min(e.start_frame for e in group) : max(e.end_frame for e in group) + 1] = True
        elif negatives == "gaps":
            longest = max(1, round(config.none_gap_s * (videos[video_id].fps or 30.0)))
            _, starts, lengths = runs(covered)
            for start, length in zip(starts, lengths):
                inside = start > 0 and start + length < n_frames and not covered[start]
                if inside and length <= longest:
                    coded[start : start + length] = True
        if exclusive:
            coded &= states_on <= 1
        sequences.append(Sequence(video_id, subject_id, targets, coded))

    n_coded = sum(int(s.coded.sum()) for s in sequences)
    if n_coded < MIN_CODED_FRAMES:
        raise TrainingDataError(f"only {n_coded} frames are coded: code at least {MIN_CODED_FRAMES} frames of behaviour")
    has_none = any(bool((s.coded & (s.targets.sum(axis=1) == 0)).any()) for s in sequences)
    if len(trained) == 1 and not has_none:
        raise TrainingDataError(
            f"only one behaviour ({trained[0].name}) is coded and it covers every coded frame: the model has nothing to "
            "tell it from. Code at least one other behaviour, or leave short stretches without it between its bouts "
            "(they count as 'no behaviour'; negatives=span counts every uncoded frame between the first and last bout)"
        )
    for n, b in enumerate(trained):
        positives = sum(int((s.targets[:, n] * s.coded).sum()) for s in sequences)
        if positives < 3:
            warnings.append(f"{b.name} has only {positives} coded frame(s): expect it to be predicted poorly")
    return BehaviourLabels(trained, exclusive, sequences, warnings, negatives)


def held_out_frames(project, labels: BehaviourLabels, config: BehaviourConfig) -> set[tuple[int, int]]:
    """(video id, frame) of the coded frames validation holds out of training: whole blocks of
    `split_block` consecutive frames, chosen stably (`core.ml.data.split`), shared by subjects."""
    keys = sorted({(s.video_id, int(f)) for s in labels.sequences for f in np.flatnonzero(s.coded)})
    fingerprints = {v.id: v.fingerprint for v in project.videos.all()}
    _, val = split_frames(keys, fingerprints, config.val_fraction, block=config.split_block)
    return set(val)
