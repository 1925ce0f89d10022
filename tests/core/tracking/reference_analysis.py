"""The whole-video analyses as they were before issue 14 (per-instance reading, per-pair and
per-frame Python loops), kept verbatim as the reference the array versions must agree with
(tests/core/tracking/test_analysis_arrays.py) and as the baseline of bench/bench_review_analysis.py."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from sqlalchemy import or_, select

from core.project import Project
from core.project import schema as s
from core.project.codec import unpack_floats
from core.tracking.features import Detection, box_iou, detection_from_instance, keypoint_distance, typical_size
from core.tracking.suspects import Suspect, SuspectOptions
from core.workflows.review import COUNT_CHANGE_PX, ReviewItem, Shape, frame_confidences, frame_disagreement, shape_from_parts

Series = dict[int, dict[int, Detection]]


def find_suspects_per_instance(
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
    return suspects_in_per_instance(series, scores, options)


def suspects_in_per_instance(
    series: Series, scores: dict[int, dict[int, float]] | None = None, options: SuspectOptions | None = None
) -> list[Suspect]:
    """The suspects of tracks given as {track id: {frame: detection}} (and their scores)."""
    o = options or SuspectOptions()
    scale = typical_size([d for frames in series.values() for d in frames.values()])
    found = _jumps(series, o, scale) + _crossings(series, o, scale) + _breaks(series, o, scale)
    found += _low_scores(scores or {}, o)
    return sorted(found, key=lambda s: (s.frame, -s.score))


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


# --- review by disagreement ---


def _frame_shapes(project: Project, video_id: int, min_score: float) -> dict[int, list[Shape]]:
    """What each predicted frame shows (user labels and visible predictions), as shapes. A frame
    counts as predicted while it holds a prediction or an instance a model made (accepted ones)."""
    i, f = s.instances.c, s.frames.c
    by_model = select(i.frame_id).where(or_(i.source == "predicted", i.model_id.is_not(None)))
    query = (
        select(f.frame_index, i.x1, i.y1, i.x2, i.y2, i.keypoints)
        .join(s.instances, i.frame_id == f.id)
        .where(f.video_id == video_id, f.id.in_(by_model))
        .where(or_(i.source == "user", i.score.is_(None), i.score >= min_score))
        .order_by(f.frame_index, i.id)
    )
    shapes: dict[int, list[Shape]] = {}
    with project.db.reading() as connection:
        for row in connection.execute(query):
            box = None if row.x1 is None else (row.x1, row.y1, row.x2, row.y2)
            shapes.setdefault(row.frame_index, []).append(shape_from_parts(box, unpack_floats(row.keypoints, 3)))
    return shapes


def disagreement_order_per_frame(project: Project, video_id: int, min_score: float = 0.0, max_gap: int = 5) -> list[ReviewItem]:
    """Frames with visible predictions, those that disagree most with the previous predicted
    frame first, scored `COUNT_CHANGE_PX` per instance appearing or vanishing plus the mean
displacement of matched instances in pixels. A frame more than
    `max_gap` frames after the previous predicted one has nothing to compare with: it goes last."""
    reviewable = frame_confidences(project, video_id, min_score)
    shapes = _frame_shapes(project, video_id, min_score)
    items: list[ReviewItem] = []
    previous: int | None = None
    for frame in sorted(shapes):
        if frame in reviewable:
            if previous is None or frame - previous > max_gap:
                items.append(ReviewItem(frame, -1.0, "no predicted frame just before"))
            else:
                d = frame_disagreement(shapes[previous], shapes[frame])
                count = f"{len(shapes[previous])} → {len(shapes[frame])} instances, " if d.count_change else ""
                reason = f"{count}moved {d.displacement:.1f} px since frame {previous}"
                items.append(ReviewItem(frame, d.count_change * COUNT_CHANGE_PX + d.displacement, reason))
        previous = frame
    return sorted(items, key=lambda item: (-item.score, item.frame_index))
