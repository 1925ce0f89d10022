"""Reading a whole video's instances into arrays in one query (`InstanceTable.as_arrays`).

At 100,000 predictions an `Instance` per row and a Python loop per pair of them take seconds;
one query into columns, read as plain tuples from the DB-API cursor, and the keypoint blobs
decoded in bulk take a fraction of that.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, Select, case, func, or_, select

from core.domain import Rle
from core.domain.instance_rows import InstanceRows
from core.project import schema as s
from core.project.database import Database
from core.project.tables.records import chunked

_F32 = np.dtype("<f4")  # the keypoint blobs' element type (`codec.pack_floats`)
_PREDICTED, _BY_MODEL, _SHAPED, _BLOB_LENGTH = 1, 2, 4, 8  # bits of the flags column


def read_instance_rows(db: Database, video_id: int) -> InstanceRows:
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
    with db.reading() as connection:
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


def shape_boxes(db: Database, instance_ids) -> dict[int, tuple[float, float, float, float] | None]:
    """The boxes of instances (by id) that carry a mask or polygons, as
    `detection_from_instance` takes them: the mask's bounding box (None when empty), else the
    polygons' extent (None for an instance with neither)."""
    i = s.instances.c
    found: dict[int, tuple[float, float, float, float] | None] = {}
    with db.reading() as connection:
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
