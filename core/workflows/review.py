"""Reviewing a model's predictions: which predicted frames a user should look at first (the
frames a model is least sure of also become frame suggestions: `core.suggest.uncertain`).

Two review orders over the frames of a video that still carry predictions (a frame whose
predictions were all accepted or rejected has nothing left to review):
- by confidence: lowest first, a frame's confidence being the lowest score of its predictions;
- by disagreement with the previous predicted frame: most first, from the change in the number
  of instances and the mean displacement (pixels) of the instances matched between the two
  frames (Hungarian matching; poses compared node by node, other shapes by their centres).

Predictions scoring under `min_score` count as hidden (the GUI's threshold slider): they neither
rank a frame nor keep it in the queue. A prediction without a score has nothing vouching for it:
it ranks as confidence 0 and is never hidden.

    order = confidence_order(project, video.id, min_score=0.3)
    order[0].frame_index, order[0].reason      # 118, "lowest score 0.31 (2 predictions)"
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.domain import Instance
from core.edits import CompositeEdit, accept_prediction
from core.project import InvalidEditError, Project
from core.workflows.disagreement import displacements, frame_shapes

ReviewBy = Literal["confidence", "disagreement"]
PredictScope = Literal["frame", "range", "suggested", "video"]
# In the disagreement score, an instance appearing or vanishing weighs as much as a move of
# this many pixels: a changed count is almost always worth a look, whatever moved.
COUNT_CHANGE_PX = 100.0


@dataclass(frozen=True)
class ReviewItem:
    """One frame to review: `score` is what it was ranked by (confidence: lower first;
    disagreement: higher first) and `reason` says it in words for the review list."""

    frame_index: int
    score: float
    reason: str


@dataclass(frozen=True)
class Shape:
    """Where an instance is, for comparing frames: `centre` (x, y) and, for poses, `keypoints`
    of shape `(n_nodes, 2)` with NaN for nodes not labelled."""

    centre: tuple[float, float] | None
    keypoints: np.ndarray | None = None


@dataclass(frozen=True)
class Disagreement:
    count_change: int  # |instances here - instances on the previous frame|
    displacement: float  # mean pixels moved by matched instances (0 when none match)


# --- shapes and matching (pure) ---------------------------------------------------------------------


def shape_from_parts(box: tuple[float, float, float, float] | None, keypoints: np.ndarray | None) -> Shape:
    """A shape from a box (x1, y1, x2, y2) and keypoints `(n_nodes, 3)` (x, y, visibility)."""
    points = None
    if keypoints is not None and len(keypoints):
        points = np.where(keypoints[:, 2:3] > 0, keypoints[:, :2], np.nan).astype(np.float64)
    if box is not None:
        centre: tuple[float, float] | None = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    elif points is not None and not np.isnan(points).all():
        x, y = np.nanmean(points, axis=0)
        centre = (float(x), float(y))
    else:
        centre = None
    return Shape(centre, points)


def shape_of(instance: Instance) -> Shape:
    box = instance.box.as_tuple() if instance.box is not None else None
    if box is None and instance.polygons:
        x, y = np.concatenate(instance.polygons).mean(axis=0)
        box = (x, y, x, y)
    return shape_from_parts(box, instance.keypoints)


def _distance(a: Shape, b: Shape) -> float:
    """Mean distance of the nodes labelled on both poses, else of the centres."""
    if a.keypoints is not None and b.keypoints is not None and a.keypoints.shape == b.keypoints.shape:
        both = ~np.isnan(a.keypoints).any(axis=1) & ~np.isnan(b.keypoints).any(axis=1)
        if both.any():
            return float(np.linalg.norm(a.keypoints[both] - b.keypoints[both], axis=1).mean())
    return float(np.hypot(a.centre[0] - b.centre[0], a.centre[1] - b.centre[1]))


def match_shapes(previous: Sequence[Shape], current: Sequence[Shape]) -> list[tuple[int, int, float]]:
    """Pairs (index in previous, index in current, distance) of the assignment with the least
    total distance (Hungarian); shapes without a centre are never matched."""
    from scipy.optimize import linear_sum_assignment  # scipy loads only when frames are compared

    a = [i for i, shape in enumerate(previous) if shape.centre is not None]
    b = [j for j, shape in enumerate(current) if shape.centre is not None]
    if not a or not b:
        return []
    cost = np.array([[_distance(previous[i], current[j]) for j in b] for i in a])
    rows, cols = linear_sum_assignment(cost)
    return [(a[r], b[c], float(cost[r, c])) for r, c in zip(rows, cols)]


def frame_disagreement(previous: Sequence[Shape], current: Sequence[Shape]) -> Disagreement:
    matches = match_shapes(previous, current)
    moved = float(np.mean([d for _, _, d in matches])) if matches else 0.0
    return Disagreement(abs(len(current) - len(previous)), moved)


# --- the store's answers -------------------------------------------------------------------------------


def highest_score(project: Project, video_id: int) -> float | None:
    """The highest score of a video's predictions (None without any). Ethoframe's models score
    in [0, 1]; imported ones may not (SLEAP's instance score sums its nodes' scores)."""
    return project.instances.highest_score(video_id)


def frame_confidences(project: Project, video_id: int, min_score: float = 0.0, model_id: int | None = None) -> dict[int, tuple[float, int]]:
    """(confidence, number of predictions) of every frame of a video with visible predictions."""
    rows = project.instances.frame_confidences(video_id, min_score, model_id)
    return {frame: (score, count) for frame, score, count in sorted(rows)}


# --- review orders -----------------------------------------------------------------------------------


def confidence_reason(score: float, count: int) -> str:
    """Why a frame stands where it does in the confidence order, for the review list."""
    return f"lowest score {score:.2f} ({count} prediction{'s' * (count != 1)})"


def confidence_order(project: Project, video_id: int, min_score: float = 0.0, model_id: int | None = None) -> list[ReviewItem]:
    """Frames with visible predictions, lowest confidence first (ties in frame order)."""
    confidences = frame_confidences(project, video_id, min_score, model_id)
    items = [
        ReviewItem(frame, score, confidence_reason(score, count))
        for frame, (score, count) in confidences.items()
    ]
    return sorted(items, key=lambda item: (item.score, item.frame_index))


def disagreement_order(project: Project, video_id: int, min_score: float = 0.0, max_gap: int = 5) -> list[ReviewItem]:
    """Frames with visible predictions, those that disagree most with the previous predicted
    frame first, scored `COUNT_CHANGE_PX` per instance appearing or vanishing plus the mean
    displacement of matched instances in pixels. A frame more than `max_gap` frames after the
    previous predicted one has nothing to compare with: it goes last. One read of the video
    and the matching in bulk (`core.workflows.disagreement`)."""
    shapes = frame_shapes(project, video_id, min_score)
    frames, counts = shapes.frame, shapes.count
    here = np.flatnonzero(shapes.reviewable)
    compared = (here > 0) & (frames[here] - frames[np.maximum(here - 1, 0)] <= max_gap)
    before, now = counts[np.maximum(here - 1, 0)], counts[here]
    change = np.abs(now - before)
    moved = np.zeros(len(here))
    moved[compared] = displacements(shapes, here[compared])
    score = np.where(compared, change * COUNT_CHANGE_PX + moved, -1.0)
    order = np.lexsort((frames[here], -score))  # most disagreeing first, ties in frame order
    columns = (frames[here], score, compared, before, now, change, moved, frames[np.maximum(here - 1, 0)])
    return [
        ReviewItem(frame, value, (f"{before} → {now} instances, " if change else "") + f"moved {moved:.1f} px since frame {previous}"
                   if compared else "no predicted frame just before")
        for frame, value, compared, before, now, change, moved, previous in zip(*(column[order].tolist() for column in columns))
    ]  # fmt: skip


def review_order(project: Project, video_id: int, by: ReviewBy = "confidence", min_score: float = 0.0) -> list[ReviewItem]:
    if by == "confidence":
        return confidence_order(project, video_id, min_score)
    if by == "disagreement":
        return disagreement_order(project, video_id, min_score)
    raise ValueError(f"review order is 'confidence' or 'disagreement', not {by!r}")


def next_to_review(order: Sequence[int], here: int, direction: int = 1, before: Iterable[int] = ()) -> int | None:
    """The frame after (direction +1) or before (-1) `here` in review `order`, or None at its end.

    `before` is the order as it stood when the user came to `here` (default: `order`). An edit
    on `here` can take it out of the queue (all its predictions accepted or rejected) or move
    it down (accepting its weakest prediction raises its confidence to the next one's); either
    way the next frame is the one after `here` in `before` that is still to review: the next
    lowest-scored one, not the one after `here`'s new place (which skipped the frames between,
    or found none when `here` had moved to the end). A frame in neither order goes to the first
    (or last) frame of `order`."""
    walk = list(before) or list(order)
    if here in walk:
        still = set(order)
        position = walk.index(here)
        ahead = walk[position + 1 :] if direction > 0 else reversed(walk[:position])
        return next((frame for frame in ahead if frame in still), None)
    if here in order:
        position = list(order).index(here) + direction
        return order[position] if 0 <= position < len(order) else None
    if not order:
        return None
    return order[0] if direction > 0 else order[-1]


# --- acting on a frame ---------------------------------------------------------------------------------


def is_visible(instance: Instance, min_score: float) -> bool:
    """Whether the threshold lets a prediction through (user labels always pass)."""
    return not instance.is_predicted or instance.score is None or instance.score >= min_score


def accept_visible(project: Project, instances: Iterable[Instance], min_score: float = 0.0) -> CompositeEdit:
    """One undoable edit accepting the predictions among `instances` that the threshold shows
    (those under it stay predictions); each accepted pose leaves its nodes under its model's
    node threshold unlabelled (`accept_prediction`). Raises InvalidEditError when there are none."""
    chosen = [i for i in instances if i.is_predicted and is_visible(i, min_score)]
    if not chosen:
        raise InvalidEditError("no predictions above the score threshold on this frame")
    return CompositeEdit(f"Accept {len(chosen)} prediction{'s' * (len(chosen) != 1)}", [accept_prediction(project, i.id) for i in chosen])


def node_threshold_model(project: Project, video_id: int) -> int | None:
    """The model whose node threshold the review of a video sets: the one that made its latest
    predictions with node scores (a pose model), or None when it has none."""
    model_id = project.instances.latest_node_scored_model(video_id)
    return model_id if model_id is not None and project.models.get(model_id).task == "pose" else None


def frames_to_predict(
    project: Project, video_id: int, scope: PredictScope, current: int = 0, first: int = 0, last: int | None = None
) -> list[int] | None:
    """The frames a prediction request covers (None: the whole video). `first`..`last` include
    both ends and are clipped to the video; "suggested" is every suggestion of any method."""
    count = project.videos.get(video_id).frame_count
    if scope == "video":
        return None
    if scope == "frame":
        return [min(max(current, 0), count - 1)]
    if scope == "range":
        last = count - 1 if last is None else min(last, count - 1)
        return list(range(max(first, 0), last + 1))
    if scope == "suggested":
        return sorted({x.frame_index for x in project.suggestions.for_video(video_id) if x.frame_index < count})
    raise ValueError(f"unknown prediction scope {scope!r}")
