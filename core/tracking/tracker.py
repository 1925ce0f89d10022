"""The frame-to-frame tracker: pure matching logic on `Detection`s, no store, no Qt.

Each frame, every remembered track predicts where its animal is now (its last pose moved by
its smoothed velocity: constant-velocity motion), and the detections are matched to the
predictions with the Hungarian algorithm on a cost of keypoint distance (in body lengths) and
box overlap, with a gate beyond which a match is not allowed at all. Tracks that lose their
animal are remembered for `memory` frames, so an animal that vanishes behind another keeps its
identity when it comes back. A new track is made only when an animal truly appears: a user
label, a confident prediction, or an unmatched prediction that keeps being found for
`min_hits` frames in a row. With `max_animals` there are never more tracks than that: once all
exist, an unmatched detection takes the lost track that costs least.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from core.tracking.features import Detection, box_iou, keypoint_distance

_BLOCKED = 1e6


@dataclass(frozen=True)
class TrackerOptions:
    """How the tracker weighs and gates matches. Distances are in body lengths (the median
    diagonal of the animals' extents, `scale`), so the defaults fit mice and flies alike."""

    max_animals: int | None = None
    motion: bool = True  # constant-velocity prediction; off: match against the last pose
    velocity_smoothing: float = 0.6  # weight of the newest displacement in the velocity
    max_extrapolation: int = 5  # frames a lost track's motion is extrapolated, at most
    keypoint_weight: float = 1.0
    iou_weight: float = 0.3
    gate: float = 0.6  # largest keypoint distance (body lengths) of a match one frame apart...
    max_gate: float = 4.0  # ...growing with the square root of the frames between, up to this
    memory: int = 100  # frames with detections a lost track stays matchable (unlimited once max_animals are found)
    min_hits: int = 3  # frames in a row an unmatched prediction must be found to make a track
    confident_score: float | None = None  # a prediction at least this sure makes a track at once
    weak_fraction: float = 0.5  # a detection scoring under this fraction of the usual score, or with
    # under this fraction of the usual number of nodes, is weak: it may continue a track, never start
    # one or take over a lost one


@dataclass(eq=False)
class _Track:
    number: int | None  # None while tentative
    last: Detection
    last_frame: int
    last_step: int = 0  # the tracker's step (frame with detections) of `last`
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(2))
    hits: int = 1
    pending: list[tuple[int, int]] = field(default_factory=list)  # (frame, index) while tentative


Assignment = tuple[int, int, int]  # (frame index, detection index, track number)


class Tracker:
    """Feed frames in order with `step`; each call returns the assignments it settled
    (a tentative track's earlier frames come back when it is confirmed)."""

    def __init__(self, options: TrackerOptions | None = None, scale: float = 1.0) -> None:
        self.options = options or TrackerOptions()
        self.scale = max(float(scale), 1e-6)
        self.tracks: list[_Track] = []
        self._tentative: list[_Track] = []
        self.created = 0
        self._steps = 0
        self._scores: list[float] = []
        self._node_counts: list[int] = []

    # --- one frame -----------------------------------------------------------------------------

    def step(self, frame: int, detections: Sequence[Detection]) -> list[Assignment]:
        o = self.options
        self._steps += 1
        detections = list(detections)
        self._observe(detections)
        settled: list[Assignment] = []
        free = list(range(len(detections)))
        all_found = o.max_animals is not None and len(self.tracks) >= o.max_animals
        remembered = [t for t in self.tracks if all_found or self._steps - t.last_step <= o.memory]

        # 1. the known animals, with the gate: strong detections first, then weak ones
        #    (a fragment of a pose must not take a track from the whole pose next to it)
        matched_tracks: set[int] = set()
        for weak in (False, True):
            batch = [i for i in free if self.is_weak(detections[i]) == weak]
            candidates = [t for t in remembered if id(t) not in matched_tracks]
            pairs = self._match(frame, candidates, [detections[i] for i in batch], gated=True)
            for t, d in pairs:
                track, index = candidates[t], batch[d]
                self._update(track, frame, detections[index])
                settled.append((frame, detections[index].index, track.number))
                matched_tracks.add(id(track))
            taken = {batch[d] for _, d in pairs}
            free = [i for i in free if i not in taken]

        # 2. with all animals found, a leftover detection takes the cheapest lost track
        free = [i for i in free if not self.is_weak(detections[i])]
        if all_found and free:
            lost = [t for t in self.tracks if id(t) not in matched_tracks]
            pairs = self._match(frame, lost, [detections[i] for i in free], gated=False)
            for t, d in pairs:
                track, index = lost[t], free[d]
                self._update(track, frame, detections[index])
                settled.append((frame, detections[index].index, track.number))
            free = [i for k, i in enumerate(free) if k not in {d for _, d in pairs}]
            self._tentative = []
            return settled

        # 3. candidates for new animals
        pairs = self._match(frame, self._tentative, [detections[i] for i in free], gated=True)
        kept: list[_Track] = []
        for t, d in pairs:
            track, index = self._tentative[t], free[d]
            self._update(track, frame, detections[index])
            track.pending.append((frame, detections[index].index))
            kept.append(track)
        free = [i for k, i in enumerate(free) if k not in {d for _, d in pairs}]
        for index in free:
            detection = detections[index]
            track = _Track(None, detection, frame, self._steps, pending=[(frame, detection.index)])
            kept.append(track)
        self._tentative = []
        for track in kept:
            if self._is_sure(track) and (o.max_animals is None or len(self.tracks) < o.max_animals):
                track.number = self.created
                self.created += 1
                self.tracks.append(track)
                settled.extend((f, i, track.number) for f, i in track.pending)
                track.pending = []
            else:
                self._tentative.append(track)
        return settled

    def waiting(self) -> set[tuple[int, int]]:
        """(frame, detection index) of the detections held by tentative tracks, not yet settled."""
        return {key for track in self._tentative for key in track.pending}

    def _observe(self, detections: list[Detection]) -> None:
        """Learn what a usual detection scores and how many nodes it has (from the first ones)."""
        if len(self._node_counts) < 5000:
            self._scores += [d.score for d in detections if d.score is not None]
            self._node_counts += [int(np.isfinite(d.points).all(axis=1).sum()) for d in detections if len(d.points)]

    def is_weak(self, detection: Detection) -> bool:
        """Far less sure, or far less complete, than the usual detection of this video."""
        f = self.options.weak_fraction
        if detection.score is not None and self._scores and detection.score < f * float(np.median(self._scores)):
            return True
        if len(detection.points) and self._node_counts:
            return int(np.isfinite(detection.points).all(axis=1).sum()) < f * float(np.median(self._node_counts))
        return False

    def _is_sure(self, track: _Track) -> bool:
        score = track.last.score
        o = self.options
        if score is None:  # a user label: a person said an animal is there
            return True
        if o.confident_score is not None and score >= o.confident_score:
            return True
        return track.hits >= o.min_hits

    # --- costs ---------------------------------------------------------------------------------

    def cost_matrix(
        self, frame: int, tracks: Sequence[_Track], detections: Sequence[Detection], gated: bool = True
    ) -> np.ndarray:
        """Cost of giving each detection (columns) to each track (rows); `_BLOCKED` beyond the gate."""
        o = self.options
        cost = np.full((len(tracks), len(detections)), _BLOCKED)
        for r, track in enumerate(tracks):
            gap = max(frame - track.last_frame, 1)
            predicted = track.last
            if o.motion:
                predicted = track.last.translated(track.velocity * min(gap, o.max_extrapolation))
            limit = min(o.gate * np.sqrt(gap), max(o.max_gate, o.gate))
            for c, detection in enumerate(detections):
                distance = keypoint_distance(predicted, detection) / self.scale
                if not np.isfinite(distance) or (gated and distance > limit):
                    continue
                value = o.keypoint_weight * distance
                value += o.iou_weight * (1.0 - box_iou(predicted.extent_box, detection.extent_box))
                cost[r, c] = value
        return cost

    def _match(self, frame, tracks, detections, gated: bool) -> list[tuple[int, int]]:
        if not tracks or not detections:
            return []
        cost = self.cost_matrix(frame, tracks, detections, gated)
        rows, cols = linear_sum_assignment(cost)
        return [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] < _BLOCKED]

    def _update(self, track: _Track, frame: int, detection: Detection) -> None:
        gap = max(frame - track.last_frame, 1)
        step = (detection.centre - track.last.centre) / gap
        if np.isfinite(step).all():
            a = self.options.velocity_smoothing
            track.velocity = step if track.hits == 1 else a * step + (1 - a) * track.velocity
        track.hits = track.hits + 1 if self._steps - track.last_step == 1 else 1
        track.last, track.last_frame, track.last_step = detection, frame, self._steps


def track_frames(
    frames: dict[int, Sequence[Detection]], options: TrackerOptions | None = None, scale: float = 1.0
) -> dict[tuple[int, int], int]:
    """Track a whole clip held in memory: {(frame, detection index): track number}."""
    tracker = Tracker(options, scale)
    result: dict[tuple[int, int], int] = {}
    for frame in sorted(frames):
        for f, i, number in tracker.step(frame, frames[frame]):
            result[(f, i)] = number
    return result
