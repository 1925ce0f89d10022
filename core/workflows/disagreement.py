"""The review queue's disagreement between consecutive predicted frames, for a whole video at
once: shapes read as arrays in one query, every cost matrix computed in bulk, and the
assignment solved without a per-frame call wherever the cheap answer is provably the Hungarian
one. `core.workflows.review.disagreement_order` turns the result into review items.

What is compared is what `review.shape_from_parts` and `review.match_shapes` compare: nodes
with visibility <= 0 unlabelled; a shape's centre is its box centre, else the mean of its
labelled nodes; two shapes are as far apart as the mean distance of the nodes labelled on
both (same node count), else as their centres; shapes without a centre are never matched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.project import Project
from core.tracking.series import row_means

_PAIRS_PER_CHUNK = 50_000  # cost entries computed at once: small enough to stay in cache


@dataclass(frozen=True)
class FrameShapes:
    """The shapes of a video's predicted frames: `frame` `(m,)` sorted, each with `count`
    shapes from `start` in the shape arrays, and `reviewable` when it holds a visible
    prediction. Shapes (`n`, sorted by frame then instance id): `points` `(n, nodes, 2)` NaN
    for unlabelled nodes and padding, `n_nodes` `(n,)`, `centre` `(n, 2)`, and `matchable` `(n,)`
    where there is one (a box or a labelled node)."""

    frame: np.ndarray
    start: np.ndarray
    count: np.ndarray
    reviewable: np.ndarray
    points: np.ndarray
    n_nodes: np.ndarray
    centre: np.ndarray
    matchable: np.ndarray


def frame_shapes(project: Project, video_id: int, min_score: float) -> FrameShapes:
    """What each predicted frame shows (user labels and visible predictions). A frame counts
    as predicted while it holds a prediction or an instance a model made (accepted ones)."""
    rows = project.instances.as_arrays(video_id)
    visible = ~rows.predicted | np.isnan(rows.score) | (rows.score >= min_score)
    keep = np.flatnonzero(visible & np.isin(rows.frame, rows.frame[rows.by_model]))
    keypoints = rows.keypoints[keep]
    points = np.where(keypoints[:, :, 2:3] > 0, keypoints[:, :, :2], np.nan).astype(np.float64)
    box = rows.box[keep]
    present = ~np.isnan(points)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, points, 0.0).sum(axis=1) / present.sum(axis=1)
    has_points = (rows.n_nodes[keep] > 0) & present.any(axis=(1, 2))
    box_centre = np.stack([(box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2], axis=1)
    has_box = ~np.isnan(box[:, 0])
    centre = np.where(has_box[:, None], box_centre, np.where(has_points[:, None], mean, np.nan))
    frame, start, count = np.unique(rows.frame[keep], return_index=True, return_counts=True)
    predicted = rows.predicted[keep]
    reviewable = np.add.reduceat(predicted, start) > 0 if len(start) else np.zeros(0, bool)
    return FrameShapes(frame, start, count, reviewable, points, rows.n_nodes[keep], centre, has_box | has_points)


def displacements(shapes: FrameShapes, current: np.ndarray) -> np.ndarray:
    """The mean distance of the shapes matched (least total distance) between frame `k - 1`
    and frame `k` of `shapes`, for each k in `current` (0 where nothing can be matched)."""
    matchable = shapes.matchable
    # the matchable shapes of each frame: their positions in `valid`, from `valid_start`
    valid = np.flatnonzero(matchable)
    per_frame = np.add.reduceat(matchable, shapes.start) if len(shapes.start) else np.zeros(0, np.int64)
    valid_start = np.concatenate([[0], np.cumsum(per_frame)[:-1]]).astype(np.int64)
    p, q = per_frame[current - 1], per_frame[current]
    out = np.zeros(len(current))
    both = np.flatnonzero((p > 0) & (q > 0))
    for shape in np.unique(np.stack([p[both], q[both]], axis=1), axis=0):
        group = both[(p[both] == shape[0]) & (q[both] == shape[1])]
        step = max(1, _PAIRS_PER_CHUNK // int(shape[0] * shape[1]))
        for chunk in range(0, len(group), step):
            which = group[chunk : chunk + step]
            out[which] = _matched_means(shapes, valid, valid_start[current[which] - 1], valid_start[current[which]], *map(int, shape))
    return out


def _matched_means(shapes: FrameShapes, valid: np.ndarray, first: np.ndarray, second: np.ndarray, p: int, q: int) -> np.ndarray:
    """For m frame pairs whose earlier frame has `p` matchable shapes (from `valid[first]`) and
    later one `q` (from `valid[second]`): the mean matched distance of each."""
    a = valid[first[:, None] + np.arange(p)]  # (m, p) shape indices
    b = valid[second[:, None] + np.arange(q)]  # (m, q)
    cost = _costs(shapes, a, b)  # (m, p, q)
    means = np.full(len(cost), np.nan)
    # Every row's cheapest column distinct (p <= q): taking each row's minimum is optimal, and
    # any optimal assignment takes the same value in each row, so the matched costs, in row
    # order as linear_sum_assignment gives them, are the row minima. Likewise by columns
    # (p > q) when each column's minimum is in a distinct row and unique in its column, which
    # leaves one optimal assignment.
    if p <= q:
        best = cost.argmin(axis=2)
        values = np.take_along_axis(cost, best[:, :, None], axis=2)[:, :, 0]
        easy = _distinct(best)
    else:
        best = cost.argmin(axis=1)
        lowest = np.take_along_axis(cost, best[:, None, :], axis=1)[:, 0, :]
        easy = _distinct(best) & ((cost == lowest[:, None, :]).sum(axis=1) == 1).all(axis=1)
        values = np.take_along_axis(lowest, np.argsort(best, axis=1), axis=1)  # in row order
    values = np.ascontiguousarray(values)
    means[easy] = values[easy].sum(axis=1) / values.shape[1]
    hard = np.flatnonzero(~easy)
    if len(hard):
        from scipy.optimize import linear_sum_assignment  # scipy loads only when it is needed

        for k in hard:
            rows, cols = linear_sum_assignment(cost[k])
            means[k] = float(np.mean(cost[k][rows, cols]))
    return means


def _distinct(best: np.ndarray) -> np.ndarray:
    """Whether each row of `best` `(m, k)` holds k distinct values."""
    ordered = np.sort(best, axis=1)
    return (ordered[:, 1:] != ordered[:, :-1]).all(axis=1)


def _costs(shapes: FrameShapes, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`review._distance` between shapes `a[k, i]` and `b[k, j]`, `(m, p, q)`: the mean distance
    of the nodes labelled on both poses (same node count), else of the centres. Broadcast over
    the pairs rather than gathered pair by pair (half the time)."""
    pa, pb = shapes.points[a][:, :, None], shapes.points[b][:, None]  # (m, p, 1, N, 2), (m, 1, q, N, 2)
    dx, dy = pa[..., 0] - pb[..., 0], pa[..., 1] - pb[..., 1]
    both = ~(np.isnan(pa[..., 0]) | np.isnan(pa[..., 1])) & ~(np.isnan(pb[..., 0]) | np.isnan(pb[..., 1]))
    ca, cb = shapes.centre[a][:, :, None], shapes.centre[b][:, None]
    centres = np.hypot(ca[..., 0] - cb[..., 0], ca[..., 1] - cb[..., 1])
    nodes = dx.shape[-1]
    if nodes == 0 or not centres.size:
        return centres
    both = np.broadcast_to(both, dx.shape).reshape(-1, nodes)
    step = np.where(both, np.sqrt(dx * dx + dy * dy).reshape(-1, nodes), 0.0)
    count = both.sum(axis=1)
    na, nb = shapes.n_nodes[a][:, :, None], shapes.n_nodes[b][:, None]
    usable = ((na > 0) & (na == nb)).ravel() & (count > 0)
    return np.where(usable, row_means(step, both, count), centres.ravel()).reshape(centres.shape)
