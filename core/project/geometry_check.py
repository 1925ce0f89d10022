"""The geometry half of `ethoframe check`: every stored box, keypoint, polygon, mask and score
finite and inside its frame, and every frame inside its video, checked a chunk of rows at a
time with numpy (half a million predictions in a few seconds), read-only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import numpy as np

TOLERANCE_PX = 1.0  # a point this far past the frame's edge still counts as inside
CHUNK = 50_000
EXAMPLES = 5

Report = Callable[[str, int, list[str]], None]  # (kind of problem, how many, a few examples)

_QUERY = """SELECT i.id, f.video_id, f.frame_index, i.x1, i.y1, i.x2, i.y2, i.score,
                   json_extract(i.mask, '$.size[0]'), json_extract(i.mask, '$.size[1]'), i.mask IS NOT NULL,
                   i.polygons, i.keypoints, i.keypoint_scores
            FROM instances i JOIN frames f ON f.id = i.frame_id"""


def check_instances(connection: sqlite3.Connection, videos: dict[int, tuple[int, int, int]], report: Report) -> int:
    """Check every instance against its video's (frame count, width, height); returns how many."""
    cursor = connection.execute(_QUERY)
    count = 0
    while rows := cursor.fetchmany(CHUNK):
        rows = [row for row in rows if row[1] in videos]  # an unknown video is a broken reference, reported apart
        if rows:
            _check_chunk(rows, videos, report)
        count += len(rows)
    return count


def _where(row) -> str:
    return f"instance {row[0]} (video {row[1]}, frame {row[2]})"


def _flag(report: Report, kind: str, rows: list, bad: np.ndarray, detail: Callable[[tuple], str] = lambda r: "") -> None:
    hits = np.flatnonzero(bad)
    if len(hits):
        report(kind, len(hits), [_where(rows[i]) + detail(rows[i]) for i in hits[:EXAMPLES]])


def _check_chunk(rows: list, videos: dict[int, tuple[int, int, int]], report: Report) -> None:
    size = np.array([videos[row[1]] for row in rows], dtype=np.float64)  # (n, 3): frames, width, height
    frames, width, height = size[:, 0], size[:, 1], size[:, 2]
    frame = np.array([row[2] for row in rows], dtype=np.float64)
    _flag(report, "frame outside its video", rows, (frame < 0) | (frame >= frames))

    box = np.array([row[3:7] for row in rows], dtype=np.float64)  # None -> nan: no box (SQLite stores no NaN)
    has_box = ~np.isnan(box).all(axis=1)
    finite = np.isfinite(box).all(axis=1)
    _flag(report, "box not finite", rows, has_box & ~finite, lambda r: f": {tuple(r[3:7])}")
    t = TOLERANCE_PX
    with np.errstate(invalid="ignore"):
        outside = (box[:, [0, 2]] < -t).any(1) | (box[:, [0, 2]] > width[:, None] + t).any(1)
        outside |= (box[:, [1, 3]] < -t).any(1) | (box[:, [1, 3]] > height[:, None] + t).any(1)
        empty = (box[:, 2] <= box[:, 0]) | (box[:, 3] <= box[:, 1])
    _flag(report, "box outside its frame", rows, finite & outside, lambda r: f": ({r[3]:g}, {r[4]:g}, {r[5]:g}, {r[6]:g})")
    _flag(report, "box of no size", rows, finite & ~outside & empty)

    score = np.array([row[7] for row in rows], dtype=np.float64)
    _flag(report, "score not finite", rows, ~np.isnan(score) & ~np.isfinite(score))

    has_mask = np.array([bool(row[10]) for row in rows])
    mask_size = np.array([row[8:10] for row in rows], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        wrong = (mask_size[:, 0] != height) | (mask_size[:, 1] != width)
    _flag(report, "mask of another size than its frame", rows, has_mask & wrong, lambda r: f": {list(r[8:10])}")

    _check_keypoints(rows, width, height, report)
    for k in (k for k, row in enumerate(rows) if row[11] is not None):
        _check_polygons(rows[k], width[k], height[k], report)


def _check_keypoints(rows: list, width: np.ndarray, height: np.ndarray, report: Report) -> None:
    by_length: dict[int, list[int]] = {}
    for k, row in enumerate(rows):
        if row[12] is not None:
            by_length.setdefault(len(row[12]), []).append(k)
    for length, ks in by_length.items():
        picked = [rows[k] for k in ks]
        if length % 12:
            report("keypoints malformed", len(ks), [_where(r) + f": {length} bytes" for r in picked[:EXAMPLES]])
            continue
        points = np.frombuffer(b"".join(r[12] for r in picked), dtype="<f4").reshape(len(ks), -1, 3)
        labelled = points[:, :, 2] > 0
        xy_finite = np.isfinite(points[:, :, :2]).all(axis=2)
        not_finite = (~np.isfinite(points[:, :, 2])).any(1) | (labelled & ~xy_finite).any(1)
        _flag(report, "keypoints not finite", picked, not_finite)
        w, h, t = width[ks][:, None], height[ks][:, None], TOLERANCE_PX
        with np.errstate(invalid="ignore"):
            off = (points[:, :, 0] < -t) | (points[:, :, 0] > w + t) | (points[:, :, 1] < -t) | (points[:, :, 1] > h + t)
        _flag(report, "keypoint outside its frame", picked, ~not_finite & (labelled & off).any(1))
        n_nodes = points.shape[1]
        scores = [r[13] for r in picked]
        wrong = np.array([s is not None and len(s) != 4 * n_nodes for s in scores])
        _flag(report, "keypoint scores malformed", picked, wrong, lambda r: f": {len(r[13])} bytes for {n_nodes} nodes")
        fine = [i for i, s in enumerate(scores) if s is not None and len(s) == 4 * n_nodes]
        if fine:
            values = np.frombuffer(b"".join(scores[i] for i in fine), dtype="<f4").reshape(len(fine), n_nodes)
            bad = np.zeros(len(picked), dtype=bool)
            bad[fine] = ~np.isfinite(values).all(axis=1)
            _flag(report, "keypoint scores not finite", picked, bad)


def _check_polygons(row, width: float, height: float, report: Report) -> None:
    try:
        rings = [np.asarray(ring, dtype=np.float64).reshape(-1, 2) for ring in json.loads(row[11])]
    except (ValueError, TypeError):
        report("polygon malformed", 1, [_where(row)])
        return
    t = TOLERANCE_PX
    for ring in rings:
        if not np.isfinite(ring).all():
            report("polygon not finite", 1, [_where(row)])
        elif (ring[:, 0] < -t).any() or (ring[:, 0] > width + t).any() or (ring[:, 1] < -t).any() or (ring[:, 1] > height + t).any():
            report("polygon outside its frame", 1, [_where(row)])
        else:
            continue
        return
