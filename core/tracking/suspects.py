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
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from core.project import Project
from core.tracking.features import (
    Detection,
    box_iou,
    detection_from_instance,
    keypoint_distance,
    typical_size,
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


def find_suspects(
    project: Project, video_id: int, source: str | None = None, options: SuspectOptions | None = None
) -> list[Suspect]:
    """The suspected identity problems of a video's tracked instances (of `source`, or all), by frame."""
    video = project.videos.get(video_id)
    stop = video.frame_count + 1
    last = project.instances.labeled_frames(video_id, source or "predicted")
    last_user = project.instances.labeled_frames(video_id, "user") if source is None else []
    stop = max([stop] + [f + 1 for _, f in last[-1:] + last_user[-1:]])
    series: Series = {}
    scores: dict[int, dict[int, float]] = {}
    for frame, instances in project.instances.on_frames(video_id, 0, stop, source).items():
        for instance in instances:
            if instance.track_id is None or frame in series.get(instance.track_id, {}):
                continue
            series.setdefault(instance.track_id, {})[frame] = detection_from_instance(instance)
            if instance.score is not None:
                scores.setdefault(instance.track_id, {})[frame] = instance.score
    return suspects_in(series, scores, options)


def suspects_in(
    series: Series, scores: dict[int, dict[int, float]] | None = None, options: SuspectOptions | None = None
) -> list[Suspect]:
    """The suspects of tracks given as {track id: {frame: detection}} (and their scores)."""
    o = options or SuspectOptions()
    scale = typical_size([d for frames in series.values() for d in frames.values()])
    found = _jumps(series, o, scale) + _crossings(series, o, scale) + _breaks(series, o, scale)
    found += _low_scores(scores or {}, o)
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


def _jumps(series: Series, o: SuspectOptions, scale: float) -> list[Suspect]:
    found = []
    for track_id, frames in series.items():
        order = sorted(frames)
        steps = []
        for a, b in pairwise(order):
            steps.append((b, keypoint_distance(frames[a], frames[b]) / scale / (b - a)))
        if len(steps) < 3:
            continue
        usual = float(np.percentile([s for _, s in steps], 90))
        limit = max(o.jump_factor * usual, o.min_jump)
        for frame, step in steps:
            if step > limit:
                found.append(Suspect(frame, "jump", (track_id,), step / limit,
                                     f"moved {step:.2f} body lengths in a frame (usual: {usual:.2f})"))  # fmt: skip
    return found


def _crossings(series: Series, o: SuspectOptions, scale: float) -> list[Suspect]:
    found = []
    ids = sorted(series)
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            shared = sorted(set(series[a]) & set(series[b]))
            episode_worst, previous = None, None
            for frame in shared:
                da, db = series[a][frame], series[b][frame]
                distance = float(np.linalg.norm(da.centre - db.centre)) / scale
                overlap = box_iou(da.extent_box, db.extent_box)
                close = distance < o.close or overlap > o.overlap
                if episode_worst is not None and (not close or frame - previous > 1):
                    found.append(Suspect(frame if not close else previous + 1, "crossing", (a, b), episode_worst,
                                         "the two tracks came very close, then separated"))  # fmt: skip
                    episode_worst = None
                if close:
                    closeness = max(1.0 - distance / o.close, overlap)
                    episode_worst = max(episode_worst or 0.0, closeness)
                previous = frame
    return found


def _breaks(series: Series, o: SuspectOptions, scale: float) -> list[Suspect]:
    found = []
    spans = {t: (min(f), max(f)) for t, f in series.items() if f}
    for a, (_, end) in spans.items():
        for b, (start, _) in spans.items():
            if a == b or not end < start <= end + o.break_frames:
                continue
            distance = float(np.linalg.norm(series[a][end].centre - series[b][start].centre)) / scale
            if distance <= o.break_distance:
                found.append(Suspect(start, "break", (a, b), 1.0 - distance / (o.break_distance + 1e-9),
                                     f"track ended at frame {end}; another started {start - end} frames later nearby"))  # fmt: skip
    for track_id, frames in series.items():
        order = sorted(frames)
        for x, y in pairwise(order):
            if y - x >= o.gap_frames:
                distance = float(np.linalg.norm(frames[x].centre - frames[y].centre)) / scale
                found.append(Suspect(y, "gap", (track_id,), distance,
                                     f"missing for {y - x - 1} frames, back {distance:.2f} body lengths away"))  # fmt: skip
    return found


def _low_scores(scores: dict[int, dict[int, float]], o: SuspectOptions) -> list[Suspect]:
    values = [s for frames in scores.values() for s in frames.values()]
    if not values:
        return []
    limit = o.low_score_fraction * float(np.median(values))
    found = []
    for track_id, frames in scores.items():
        run: list[int] = []
        for frame in sorted(frames) + [None]:
            low = frame is not None and frames[frame] < limit
            if low and (not run or frame == run[-1] + 1):
                run.append(frame)
                continue
            if run:
                worst = min(frames[f] for f in run)
                found.append(Suspect(run[0], "low_score", (track_id,), 1.0 - worst / limit if limit > 0 else 1.0,
                                     f"{len(run)} frame(s) scored under {limit:.3g} (lowest {worst:.3g})"))  # fmt: skip
            run = [frame] if low else []
    return found
