"""A whole video's instances as arrays, read in one query: what the whole-video analyses
(suspects, the review queue's disagreement order) work on instead of `Instance` objects.

At 100,000 predictions an `Instance` per row and a Python loop per pair of them take seconds;
one query into columns, keypoint blobs decoded in bulk, and numpy over whole tracks take a
fraction of that. The measures here are those of `core.tracking.features` (the mean of the
labelled nodes or the box centre, the extent box, the keypoint distance, box IoU) written
for many detections at once, so both paths agree on what "where an animal is" means.

    rows = read_instances(project, video.id)
    rows.frame[:3], rows.track[:3]         # sorted by frame, then instance id
    detections = DetectionArrays.of_rows(project, rows, np.flatnonzero(rows.track >= 0))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Select, case, func, or_, select

from core.domain import Rle
from core.project import Project
from core.project import schema as s
from core.project.tables.records import chunked
from core.tracking.features import Detection

_F32 = np.dtype("<f4")
_PREDICTED, _BY_MODEL, _SHAPED, _BLOB_LENGTH = 1, 2, 4, 8  # bits of the flags column


@dataclass(frozen=True)
class InstanceRows:
    """Every instance of a video, one entry per instance, sorted by frame then instance id
    (the order `InstanceTable.on_frames` gives). `n` instances:

    - `frame`, `id` `(n,)` int64; `track` `(n,)` int64, -1 for untracked;
    - `predicted` `(n,)` bool: a prediction (else a user label; `Instance.source`);
      `score` `(n,)` float64, NaN for none; `by_model` `(n,)` bool: made by a model (a
      prediction or an accepted one);
    - `box` `(n, 4)` float64 as stored (x1, y1, x2, y2), NaN rows where there is none;
      `shaped` `(n,)` bool: has a mask or polygons (read only where there is no box);
    - `keypoints` `(n, nodes, 3)` float32 (x, y, visibility), rows padded with NaN past each
      instance's `n_nodes` `(n,)` (0 without keypoints).
    """

    frame: np.ndarray
    id: np.ndarray
    track: np.ndarray
    predicted: np.ndarray
    score: np.ndarray
    by_model: np.ndarray
    box: np.ndarray
    shaped: np.ndarray
    keypoints: np.ndarray
    n_nodes: np.ndarray

    def __len__(self) -> int:
        return len(self.frame)


def read_instances(project: Project, video_id: int) -> InstanceRows:
    """All instances of a video as arrays, in one query."""
    i, f = s.instances.c, s.frames.c
    # the source, two flags and the keypoint blob's length in one integer: Python's sqlite3
    # spends more on each column of 100,000 rows than SQLite spends finding them
    flags = (
        case((i.source == "predicted", _PREDICTED), else_=0)
        + case((i.model_id.is_not(None), _BY_MODEL), else_=0)
        + case((or_(i.mask.is_not(None), i.polygons.is_not(None)), _SHAPED), else_=0)
        + func.coalesce(func.length(i.keypoints), 0) * _BLOB_LENGTH
    )
    query = (
        select(f.frame_index, i.id, i.track_id, i.score, i.x1, i.y1, i.x2, i.y2, flags, i.keypoints)
        .select_from(s.frames)
        .join(s.instances, i.frame_id == f.id)
        .where(f.video_id == video_id)
    )  # no ORDER BY: sorting 100,000 rows in numpy is cheaper than SQLite's temporary B-tree
    with project.db.reading() as connection:
        rows = _fetch(connection, query)
    # one object array, then whole columns converted at once (None reads as NaN): a third of
    # the time of transposing the rows in Python
    table = np.array(rows, dtype=object) if rows else np.zeros((0, 10), dtype=object)
    numbers = table[:, :9].astype(np.float64)
    order = np.lexsort((numbers[:, 1], numbers[:, 0]))
    numbers, blobs = numbers[order], table[order, 9]
    bits = numbers[:, 8].astype(np.int64)
    keypoints, n_nodes = _keypoints(blobs, bits // _BLOB_LENGTH)
    predicted = (bits & _PREDICTED) > 0
    return InstanceRows(
        frame=numbers[:, 0].astype(np.int64),
        id=numbers[:, 1].astype(np.int64),
        track=np.where(np.isnan(numbers[:, 2]), -1, numbers[:, 2]).astype(np.int64),
        predicted=predicted,
        score=np.ascontiguousarray(numbers[:, 3]),
        by_model=predicted | ((bits & _BY_MODEL) > 0),
        box=np.ascontiguousarray(numbers[:, 4:8]),
        shaped=(bits & _SHAPED) > 0,
        keypoints=keypoints,
        n_nodes=n_nodes,
    )


def _fetch(connection: Connection, query: Select) -> list[tuple]:
    """The rows of `query` as plain tuples from the DB-API cursor, inside the reading
    transaction: SQLAlchemy's `Row` objects cost more than the query itself at this size."""
    compiled = query.compile(dialect=connection.dialect)
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _keypoints(blobs: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keypoint blobs (float32 (nodes, 3), or None) of the given byte lengths decoded in bulk:
    one `frombuffer` per distinct node count."""
    n_nodes = lengths // (3 * _F32.itemsize)
    out = np.full((len(blobs), int(n_nodes.max(initial=0)), 3), np.nan, dtype=np.float32)
    for nodes in np.unique(n_nodes[n_nodes > 0]):
        where = np.flatnonzero(n_nodes == nodes)
        buffer = b"".join(blobs[where].tolist())
        out[where, :nodes] = np.frombuffer(buffer, dtype=_F32).reshape(len(where), nodes, 3)
    return out, n_nodes


def shape_boxes(project: Project, instance_ids: np.ndarray) -> dict[int, tuple[float, float, float, float] | None]:
    """The boxes of instances without one that carry a mask or polygons, as
    `detection_from_instance` takes them: the mask's bounding box (None when empty), else the
    polygons' extent."""
    i = s.instances.c
    found: dict[int, tuple[float, float, float, float] | None] = {}
    with project.db.reading() as connection:
        for chunk in chunked([int(x) for x in instance_ids]):
            for row in connection.execute(select(i.id, i.mask, i.polygons).where(i.id.in_(chunk))):
                if row.mask is not None:
                    box = Rle(row.mask["size"][0], row.mask["size"][1], row.mask["counts"]).bounding_box()
                    found[row.id] = None if box is None else box.as_tuple()
                elif row.polygons:
                    points = np.concatenate([np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in row.polygons])
                    found[row.id] = (*points.min(axis=0), *points.max(axis=0))
                else:
                    found[row.id] = None
    return found


# --- detections as arrays ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DetectionArrays:
    """Many `Detection`s at once (`n` of them):

    - `points` `(n, nodes, 2)` float64, NaN for unlabelled nodes and padding; `n_nodes` `(n,)`;
    - `box` `(n, 4)` float64, NaN rows where there is none;
    - `centre` `(n, 2)`: mean of the labelled nodes, else the box centre, else NaN;
    - `extent` `(n, 4)`: the box, else the tight box around the labelled nodes, else NaN.
    """

    points: np.ndarray
    n_nodes: np.ndarray
    box: np.ndarray
    centre: np.ndarray
    extent: np.ndarray

    def __len__(self) -> int:
        return len(self.n_nodes)

    @classmethod
    def build(cls, points: np.ndarray, n_nodes: np.ndarray, box: np.ndarray) -> DetectionArrays:
        """From points already masked (NaN rows for unlabelled nodes) and boxes (NaN rows)."""
        x, y = points[:, :, 0], points[:, :, 1]
        finite = np.isfinite(x) & np.isfinite(y)
        # Detection.centre: np.nanmean over the nodes, each coordinate on its own (summed over
        # the middle axis, node after node, as np.nanmean sums a `(nodes, 2)` array)
        values = ~np.isnan(points)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(values, points, 0.0).sum(axis=1) / values.sum(axis=1)
        labelled = (np.isfinite(x) | np.isfinite(y)).any(axis=1)
        has_box = ~np.isnan(box[:, 0])
        box_centre = np.stack([(box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2], axis=1)
        centre = np.where(labelled[:, None], mean, np.where(has_box[:, None], box_centre, np.nan))
        low = [np.where(finite, c, np.inf).min(axis=1, initial=np.inf) for c in (x, y)]
        high = [np.where(finite, c, -np.inf).max(axis=1, initial=-np.inf) for c in (x, y)]
        tight = np.where(finite.any(axis=1)[:, None], np.stack([*low, *high], axis=1), np.nan)
        extent = np.where(has_box[:, None], box, tight)
        return cls(points, n_nodes, box, centre, extent)

    @classmethod
    def of_rows(cls, project: Project, rows: InstanceRows, which: np.ndarray) -> DetectionArrays:
        """The detections of `rows[which]`, as `detection_from_instance` makes them: nodes with
        visibility <= 0 or non-finite coordinates unlabelled, boxes normalised, and a mask's or
        polygons' extent where there is no box."""
        keypoints = rows.keypoints[which].astype(np.float64)
        points = keypoints[:, :, :2].copy()
        points[keypoints[:, :, 2] <= 0] = np.nan
        points[~np.isfinite(points).all(axis=2)] = np.nan
        raw = rows.box[which]
        box = np.stack([np.minimum(raw[:, 0], raw[:, 2]), np.minimum(raw[:, 1], raw[:, 3]),
                        np.maximum(raw[:, 0], raw[:, 2]), np.maximum(raw[:, 1], raw[:, 3])], axis=1)  # fmt: skip
        missing = np.flatnonzero(np.isnan(raw[:, 0]) & rows.shaped[which])
        if len(missing):
            boxes = shape_boxes(project, rows.id[which][missing])
            for k in missing:
                found = boxes.get(int(rows.id[which][k]))
                box[k] = np.nan if found is None else found
        return cls.build(points, rows.n_nodes[which], box)


def keypoint_distances(d: DetectionArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`keypoint_distance` of detections `a[k]` and `b[k]` for every k: the mean distance over
    the nodes both have, else the centre distance."""
    pa, pb = d.points[a], d.points[b]
    both = np.isfinite(pa[:, :, 0]) & np.isfinite(pa[:, :, 1]) & np.isfinite(pb[:, :, 0]) & np.isfinite(pb[:, :, 1])
    count = both.sum(axis=1)
    usable = (d.n_nodes[a] > 0) & (d.n_nodes[a] == d.n_nodes[b]) & (count > 0)
    dx, dy = pa[:, :, 0] - pb[:, :, 0], pa[:, :, 1] - pb[:, :, 1]
    step = np.where(both, np.sqrt(dx * dx + dy * dy), 0.0)
    return np.where(usable, row_means(step, both, count), centre_distances(d, a, b))


def row_means(values: np.ndarray, chosen: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The mean of each row's chosen values (NaN where none), summed as numpy sums the chosen
    values alone (pairwise from 8 values on), so the result is the per-detection one to the bit."""
    if values.shape[1] < 8:  # numpy sums fewer than 8 values in order: the zeros change nothing
        with np.errstate(invalid="ignore", divide="ignore"):
            return values.sum(axis=1) / count
    compact = np.take_along_axis(values, np.argsort(~chosen, axis=1, kind="stable"), axis=1)
    means = np.full(len(values), np.nan)
    for c in np.unique(count[count > 0]):
        rows = count == c
        means[rows] = np.ascontiguousarray(compact[rows, :c]).sum(axis=1) / c
    return means


def centre_distances(d: DetectionArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    delta = d.centre[a] - d.centre[b]
    return np.sqrt(delta[:, 0] ** 2 + delta[:, 1] ** 2)


def box_ious(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`box_iou` of boxes `a[k]` and `b[k]` `(m, 4)`: 0 where either is missing (NaN)."""
    w = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
    h = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
    inter = w * h
    union = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((w > 0) & (h > 0) & (union > 0), inter / union, 0.0)


def typical_size_of(d: DetectionArrays) -> float:
    """`typical_size`: the median diagonal of the detections' extents (1 without any)."""
    e = d.extent
    diagonals = np.hypot(e[:, 2] - e[:, 0], e[:, 3] - e[:, 1])
    diagonals = diagonals[diagonals > 0]
    return float(np.median(diagonals)) if len(diagonals) else 1.0


def detection_arrays(detections: Sequence[Detection]) -> DetectionArrays:
    """`DetectionArrays` of `Detection` objects (in-memory callers: the tracker's report, tests)."""
    n = len(detections)
    points = np.full((n, max((len(d.points) for d in detections), default=0), 2), np.nan)
    box = np.full((n, 4), np.nan)
    for k, detection in enumerate(detections):
        points[k, : len(detection.points)] = detection.points
        if detection.box is not None:
            box[k] = detection.box
    return DetectionArrays.build(points, np.array([len(d.points) for d in detections], dtype=np.int64), box)
