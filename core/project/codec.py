"""Translation between table rows and domain objects, private to the store.

Arrays are stored as little-endian float32 blobs: a 24-node pose is 288 bytes and decodes with
one `np.frombuffer`, which is what keeps a frame's load fast with a million instances.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.domain import Behaviour, BehaviourEvent, Box, Instance, LabelClass, ModelRecord, Rle, Skeleton
from core.domain import Stamp, Suggestion, Track, TrainingRun, Video

_F32 = np.dtype("<f4")


def pack_floats(array: np.ndarray | None) -> bytes | None:
    return None if array is None else np.ascontiguousarray(array, dtype=_F32).tobytes()


def unpack_floats(blob: bytes | None, columns: int | None = None) -> np.ndarray | None:
    if blob is None:
        return None
    array = np.frombuffer(blob, dtype=_F32).astype(np.float32)  # a writable copy
    return array.reshape(-1, columns) if columns else array


# --- instances -------------------------------------------------------------------------------

INSTANCE_FIELDS = (
    "class_id", "track_id", "skeleton_id", "box", "polygons", "mask",
    "keypoints", "keypoint_scores", "source", "score", "model_id", "origin",
)  # fmt: skip


def instance_fields_to_row(fields: dict[str, Any]) -> dict[str, Any]:
    """Column values for the given instance fields (a subset of `INSTANCE_FIELDS`)."""
    row: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "box":
            box = value.normalized() if value is not None else None
            row.update(zip(("x1", "y1", "x2", "y2"), box.as_tuple() if box else (None,) * 4))
        elif name == "polygons":
            row["polygons"] = [np.asarray(p, dtype=float).ravel().tolist() for p in value] if len(value) else None
        elif name == "mask":
            row["mask"] = None if value is None else {"size": [value.height, value.width], "counts": value.counts}
        elif name in ("keypoints", "keypoint_scores"):
            row[name] = pack_floats(value)
        elif name in INSTANCE_FIELDS:
            row[name] = value
        else:
            raise ValueError(f"an instance has no field {name!r}")
    return row


def instance_from_row(row: Any, video_id: int, frame_index: int) -> Instance:
    box = None if row.x1 is None else Box(row.x1, row.y1, row.x2, row.y2)
    mask = None if row.mask is None else Rle(row.mask["size"][0], row.mask["size"][1], row.mask["counts"])
    polygons = tuple(np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in (row.polygons or ()))
    return Instance(
        video_id=video_id,
        frame_index=frame_index,
        class_id=row.class_id,
        track_id=row.track_id,
        skeleton_id=row.skeleton_id,
        box=box,
        polygons=polygons,
        mask=mask,
        keypoints=unpack_floats(row.keypoints, 3),
        keypoint_scores=unpack_floats(row.keypoint_scores),
        source=row.source,
        score=row.score,
        model_id=row.model_id,
        id=row.id,
        origin=row.origin,
        stamp=stamp_from_row(row),
    )


def stamp_from_row(row: Any) -> Stamp | None:
    """Who made and changed the row, and its version (None when the query left them out)."""
    values = row._mapping
    if "version" not in values:
        return None
    return Stamp(values["version"], values["created_by"], values["created_at"], values["changed_by"], values["changed_at"])


# --- behaviour events --------------------------------------------------------------------------

EVENT_FIELDS = (
    "video_id", "behaviour_id", "subject_id", "start_frame", "end_frame",
    "source", "score", "model_id", "probabilities",
)  # fmt: skip


def event_fields_to_row(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"a behaviour event has no field {sorted(unknown)[0]!r}")
    row = dict(fields)
    if "probabilities" in row:
        row["probabilities"] = pack_floats(row["probabilities"])
    return row


def event_from_row(row: Any) -> BehaviourEvent:
    return BehaviourEvent(
        video_id=row.video_id,
        behaviour_id=row.behaviour_id,
        start_frame=row.start_frame,
        end_frame=row.end_frame,
        subject_id=row.subject_id,
        source=row.source,
        score=row.score,
        model_id=row.model_id,
        probabilities=unpack_floats(row.probabilities),
        id=row.id,
        stamp=stamp_from_row(row),
    )


# --- small records -------------------------------------------------------------------------------


def video_from_row(row: Any) -> Video:
    return Video(row.path, row.frame_count, row.fps, row.width, row.height, row.fingerprint, row.name, row.id)


def label_class_from_row(row: Any) -> LabelClass:
    return LabelClass(row.name, row.color, row.id)


def skeleton_from_row(row: Any) -> Skeleton:
    return Skeleton(row.name, tuple(row.nodes), tuple(map(tuple, row.edges)), tuple(map(tuple, row.symmetries)), row.id)


def skeleton_to_row(skeleton: Skeleton) -> dict[str, Any]:
    return {
        "name": skeleton.name,
        "nodes": list(skeleton.nodes),
        "edges": [list(e) for e in skeleton.edges],
        "symmetries": [list(s) for s in skeleton.symmetries],
    }


def track_from_row(row: Any) -> Track:
    return Track(row.name, row.color, row.id)


def behaviour_from_row(row: Any) -> Behaviour:
    return Behaviour(row.name, row.key, row.color, row.kind, row.id)


def model_from_row(row: Any) -> ModelRecord:
    return ModelRecord(row.name, row.task, row.path, row.config, row.metrics, row.created_at, row.id)


def run_from_row(row: Any) -> TrainingRun:
    return TrainingRun(
        row.task, row.config, row.status, row.metrics, row.label_snapshot,
        row.model_id, row.error, row.started_at, row.finished_at, row.id,
    )  # fmt: skip


def suggestion_from_row(row: Any) -> Suggestion:
    return Suggestion(row.video_id, row.frame_index, row.method, row.score, row.id, row._mapping.get("assigned_to"))
