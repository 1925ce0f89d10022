"""Where identities are probably wrong: the frames a proofreader should look at first.

Four kinds, each with a score (higher: more suspicious):
- "jump": a track's pose moves far more in one step than the track usually does (a swap or a
  head-tail flip between two frames);
- "crossing": two tracks come very close or their boxes overlap strongly, then separate (the
  classic place for a swap; reported at the first frame after they separate);
- "low_score": a run of predictions far less confident than the video's usual (reported at its
  first frame);
- "break": a track ends and another starts near it soon after (one animal, two identities), or
  a track vanishes for a while and comes back somewhere else ("gap").

All four run over whole tracks as arrays (`core.tracking.series`): one query per video, no
`Instance` per row, no Python loop per detection or per pair of them; at 100,000 predictions
`find_suspects` takes a fraction of a second (`bench/bench_review_analysis.py`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from core.project import Project
from core.tracking.features import Detection
from core.tracking.series import (
    DetectionArrays,
    box_ious,
    centre_distances,
    detection_arrays,
    keypoint_distances,
    typical_size_of,
)

KINDS = ("jump", "crossing", "low_score", "break", "gap")


@dataclass(frozen=True)
class Suspect:
    """A frame where an identity may be wrong, the tracks involved, and why."""

    frame: int
    kind: str
    track_ids: tuple[int, ...]
    score: float
    detail: str = ""


@dataclass(frozen=True)
class SuspectOptions:
    """Thresholds, in body lengths (the median diagonal of the animals' extents)."""

    jump_factor: float = 6.0  # times the track's usual step (90th percentile)
    min_jump: float = 0.25  # ...and never less than this
    close: float = 0.5  # centres closer than this are "crossing"
    overlap: float = 0.25  # ...or boxes overlapping more than this (IoU)
    low_score_fraction: float = 0.5  # a score under this fraction of the median is low
    break_frames: int = 30  # a track starting within this many frames of another's end...
    break_distance: float = 1.5  # ...and this close to it is a break
    gap_frames: int = 10  # a track missing this long, then back, is a "gap"


Series = dict[int, dict[int, Detection]]  # track id -> frame -> detection


@dataclass(frozen=True)
class TrackArrays:
    """Tracks as arrays, one detection per (track, frame), sorted by track then frame: `track`
    `(n,)` indexes `track_ids` (in the order the tracks are listed: by first appearance), `frame`
    `(n,)`, `detections` of length n. Scores are apart (`ScoreArrays`): a caller may score other
    frames than it has detections for."""

    track_ids: tuple[int, ...]
    track: np.ndarray
    frame: np.ndarray
    detections: DetectionArrays


@dataclass(frozen=True)
class ScoreArrays:
    """Scores of tracked instances, sorted by track then frame, `track` indexing `track_ids`."""

    track_ids: tuple[int, ...]
    track: np.ndarray
    frame: np.ndarray
    score: np.ndarray


def find_suspects(
    project: Project, video_id: int, source: str | None = None, options: SuspectOptions | None = None
) -> list[Suspect]:
    """The suspected identity problems of a video's tracked instances (of `source`, or all), by
    frame. One query for the whole video; a track's first instance on a frame (by id) stands
    for it there."""
    rows = project.instances.as_arrays(video_id)
    chosen = (rows.track >= 0) & (rows.frame >= 0)
    if source is not None:  # an instance's source is "user" or "predicted"
        chosen &= {"predicted": rows.predicted, "user": ~rows.predicted}.get(source, False)
    chosen = np.flatnonzero(chosen)
    # the first instance of each (track, frame), in (frame, id) order
    pairs = rows.track[chosen] * (int(rows.frame.max(initial=0)) + 1) + rows.frame[chosen]
    _, first = np.unique(pairs, return_index=True)
    chosen = chosen[np.sort(first)]
    track_ids, track = _rank_by_first_appearance(rows.track[chosen])
    frame = rows.frame[chosen]
    order = np.lexsort((frame, track))
    detections = DetectionArrays.of_rows(project, rows, chosen[order])
    tracks = TrackArrays(track_ids, track[order], frame[order], detections)
    scored = ~np.isnan(rows.score[chosen])
    score_ids, score_track = _rank_by_first_appearance(rows.track[chosen][scored])
    score_order = np.lexsort((frame[scored], score_track))
    scores = ScoreArrays(score_ids, score_track[score_order], frame[scored][score_order], rows.score[chosen][scored][score_order])
    return suspects_of(tracks, scores, options)


def _rank_by_first_appearance(track: np.ndarray) -> tuple[tuple[int, ...], np.ndarray]:
    """The distinct ids of `track` in the order they first appear, and each entry's place among them."""
    ids, first, inverse = np.unique(track, return_index=True, return_inverse=True)
    by_appearance = np.argsort(first, kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[by_appearance] = np.arange(len(ids))
    return tuple(int(x) for x in ids[by_appearance]), rank[inverse]


def suspects_in(
    series: Series, scores: dict[int, dict[int, float]] | None = None, options: SuspectOptions | None = None
) -> list[Suspect]:
    """The suspects of tracks given as {track id: {frame: detection}} (and their scores)."""
    track_ids = tuple(series)
    entries = [(n, f, d) for n, t in enumerate(track_ids) for f, d in sorted(series[t].items())]
    tracks = TrackArrays(
        track_ids,
        np.array([n for n, _, _ in entries], dtype=np.int64),
        np.array([f for _, f, _ in entries], dtype=np.int64),
        detection_arrays([d for _, _, d in entries]),
    )
    scores = scores or {}
    score_ids = tuple(scores)
    scored = [(n, f, v) for n, t in enumerate(score_ids) for f, v in sorted(scores[t].items())]
    score_arrays = ScoreArrays(
        score_ids,
        np.array([n for n, _, _ in scored], dtype=np.int64),
        np.array([f for _, f, _ in scored], dtype=np.int64),
        np.array([v for _, _, v in scored], dtype=np.float64),
    )
    return suspects_of(tracks, score_arrays, options)


def suspects_of(tracks: TrackArrays, scores: ScoreArrays, options: SuspectOptions | None = None) -> list[Suspect]:
    """The suspects of tracks given as arrays: what `find_suspects` and `suspects_in` share."""
    o = options or SuspectOptions()
    scale = typical_size_of(tracks.detections)
    found = _jumps(tracks, o, scale) + _crossings(tracks, o, scale) + _breaks(tracks, o, scale)
    found += _low_scores(scores, o)
    return sorted(found, key=lambda s: (s.frame, -s.score))


def next_suspect(suspects: Sequence[Suspect], frame: int, kinds: Iterable[str] | None = None) -> Suspect | None:
    """The first suspect after `frame` (of the given kinds), for "jump to next suspect";
    `suspects` sorted by frame, as `find_suspects` returns them."""
    wanted = set(kinds) if kinds is not None else None
    start = bisect_right([s.frame for s in suspects], frame)
    return next((s for s in suspects[start:] if wanted is None or s.kind in wanted), None)


def previous_suspect(suspects: Sequence[Suspect], frame: int, kinds: Iterable[str] | None = None) -> Suspect | None:
    wanted = set(kinds) if kinds is not None else None
    return next((s for s in reversed(suspects) if s.frame < frame and (wanted is None or s.kind in wanted)), None)



# --- the four kinds, over whole tracks at once ---------------------------------------------------------


def _steps(tracks: TrackArrays) -> np.ndarray:
    """Indices k where detections k and k + 1 are consecutive frames of one track."""
    return np.flatnonzero(tracks.track[1:] == tracks.track[:-1])


def _jumps(tracks: TrackArrays, o: SuspectOptions, scale: float) -> list[Suspect]:
    k = _steps(tracks)
    frame = tracks.frame
    step = keypoint_distances(tracks.detections, k, k + 1) / scale / (frame[k + 1] - frame[k])
    found = []
    bounds = np.searchsorted(tracks.track[k], np.arange(len(tracks.track_ids) + 1))
    for n, track_id in enumerate(tracks.track_ids):
        steps = step[bounds[n] : bounds[n + 1]]
        if len(steps) < 3:
            continue
        usual = float(np.percentile(steps, 90))
        limit = max(o.jump_factor * usual, o.min_jump)
        for at in np.flatnonzero(steps > limit):
            value = float(steps[at])
            found.append(Suspect(int(frame[k[bounds[n] + at] + 1]), "jump", (track_id,), value / limit,
                                 f"moved {value:.2f} body lengths in a frame (usual: {usual:.2f})"))  # fmt: skip
    return found


def _crossings(tracks: TrackArrays, o: SuspectOptions, scale: float) -> list[Suspect]:
    """Episodes of two tracks close on consecutive shared frames, reported where they end
    (the first shared frame not close, or the frame after the episode when the next shared
    frame is not the next frame); an episode still going on at the tracks' last shared frame
    is not reported."""
    ids = np.asarray(tracks.track_ids, dtype=np.int64)
    if len(ids) < 2:
        return []
    # every pair of detections on one frame, the lower track id first
    by_frame = np.lexsort((ids[tracks.track], tracks.frame))
    frame = tracks.frame[by_frame]
    first_of, second_of = [], []
    for gap in range(1, len(frame)):
        same = np.flatnonzero(frame[gap:] == frame[:-gap])
        if not len(same):
            break  # sorted by frame: no frame has more than `gap` detections
        first_of.append(by_frame[same])
        second_of.append(by_frame[same + gap])
    if not first_of:
        return []
    a, b = np.concatenate(first_of), np.concatenate(second_of)
    ta, tb, shared = ids[tracks.track[a]], ids[tracks.track[b]], tracks.frame[a]
    order = np.lexsort((shared, tb, ta))
    a, b, ta, tb, shared = a[order], b[order], ta[order], tb[order], shared[order]
    d = tracks.detections
    distance = centre_distances(d, a, b) / scale
    overlap = box_ious(d.extent[a], d.extent[b])
    close = (distance < o.close) | (overlap > o.overlap)
    closeness = np.where(close, np.maximum(1.0 - distance / o.close, overlap), -np.inf)
    same_pair = (ta[1:] == ta[:-1]) & (tb[1:] == tb[:-1])
    next_frame = same_pair & (shared[1:] - shared[:-1] == 1)
    # an episode starts at a close entry that does not continue one, and ends at a close
    # entry the next of which (same pair) is not close or not the next frame
    continues = np.zeros(len(close), bool)
    continues[1:] = close[:-1] & next_frame
    starts = np.flatnonzero(close & ~continues)
    ends_here = close.copy()
    ends_here[:-1] &= ~(next_frame & close[1:])
    ends = np.flatnonzero(ends_here)
    worst = np.maximum.reduceat(closeness, starts) if len(starts) else np.zeros(0)
    found = []
    for episode, end in enumerate(ends):
        if end + 1 >= len(close) or not same_pair[end]:
            continue  # the pair's last shared frame: never reported
        at = shared[end + 1] if not close[end + 1] else shared[end] + 1
        found.append(Suspect(int(at), "crossing", (int(ta[end]), int(tb[end])), float(worst[episode]),
                             "the two tracks came very close, then separated"))  # fmt: skip
    return found


def _breaks(tracks: TrackArrays, o: SuspectOptions, scale: float) -> list[Suspect]:
    found = []
    d = tracks.detections
    bounds = np.searchsorted(tracks.track, np.arange(len(tracks.track_ids) + 1))
    firsts, lasts = bounds[:-1], bounds[1:] - 1
    present = bounds[1:] > bounds[:-1]
    start, end = tracks.frame[firsts[present]], tracks.frame[lasts[present]]
    numbers = np.flatnonzero(present)
    by_start = np.argsort(start, kind="stable")
    for n, track_end in enumerate(end):
        low = np.searchsorted(start[by_start], track_end, side="right")
        high = np.searchsorted(start[by_start], track_end + o.break_frames, side="right")
        for m in np.sort(by_start[low:high]):
            a, b = lasts[numbers[n]], firsts[numbers[m]]
            distance = float(centre_distances(d, np.array([a]), np.array([b]))[0]) / scale
            if distance <= o.break_distance:
                found.append(Suspect(int(start[m]), "break", (tracks.track_ids[numbers[n]], tracks.track_ids[numbers[m]]),
                                     1.0 - distance / (o.break_distance + 1e-9),
                                     f"track ended at frame {track_end}; another started {start[m] - track_end} frames later nearby"))  # fmt: skip
    k = _steps(tracks)
    k = k[tracks.frame[k + 1] - tracks.frame[k] >= o.gap_frames]
    distances = centre_distances(d, k, k + 1) / scale
    for x, distance in zip(k, distances):
        missing = tracks.frame[x + 1] - tracks.frame[x] - 1
        found.append(Suspect(int(tracks.frame[x + 1]), "gap", (tracks.track_ids[tracks.track[x]],), float(distance),
                             f"missing for {missing} frames, back {distance:.2f} body lengths away"))  # fmt: skip
    return found


def _low_scores(scores: ScoreArrays, o: SuspectOptions) -> list[Suspect]:
    if not len(scores.score):
        return []
    limit = o.low_score_fraction * float(np.median(scores.score))
    low = scores.score < limit
    continues = np.zeros(len(low), bool)
    continues[1:] = low[:-1] & (scores.track[1:] == scores.track[:-1]) & (scores.frame[1:] - scores.frame[:-1] == 1)
    starts = np.flatnonzero(low & ~continues)
    if not len(starts):
        return []
    run = np.cumsum(low & ~continues) - 1  # the run each low entry belongs to
    lengths = np.bincount(run[low], minlength=len(starts))
    worst = np.minimum.reduceat(np.where(low, scores.score, np.inf), starts)
    found = []
    for start, length, lowest in zip(starts, lengths, worst):
        lowest = float(lowest)
        found.append(Suspect(int(scores.frame[start]), "low_score", (scores.track_ids[scores.track[start]],),
                             1.0 - lowest / limit if limit > 0 else 1.0,
                             f"{length} frame(s) scored under {limit:.3g} (lowest {lowest:.3g})"))  # fmt: skip
    return found
