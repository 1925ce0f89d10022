"""Instances on frames: the labels and predictions themselves, stored for fast per-frame access.

A frame row exists for every (video, frame index) that has ever carried an instance; instances
point at it. Loading a frame is one indexed join, whatever the size of the project.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np

from sqlalchemy import Connection, and_, delete, distinct, func, insert, or_, select, text, update

from core.domain import Instance, Stamp
from core.domain.instance_rows import InstanceRows
from core.project import schema as s
from core.project.codec import INSTANCE_FIELDS, instance_fields_to_row, instance_from_row, unpack_floats
from core.project.changes import Change
from core.project.database import Database
from core.project.errors import ConflictError, NotFoundError
from core.project.tables import stamps
from core.project.tables.instance_arrays import read_instance_rows, shape_boxes
from core.project.tables.records import chunked

_SET_TRACK_SQLITE = text(
    "UPDATE instances SET track_id = :track, changed_by = :by, changed_at = :at "
    "WHERE id IN (SELECT value FROM json_each(:ids))"
)
_SELECT = select(s.instances, s.frames.c.video_id, s.frames.c.frame_index).join(
    s.frames, s.frames.c.id == s.instances.c.frame_id
)


class InstanceTable:
    """Add, read, change and delete instances; bulk paths for predictions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- writing ---------------------------------------------------------------------------

    def add(self, instance: Instance) -> Instance:
        """Insert one instance (keeping its id if it has one) and return it with its id."""
        with self._db.transaction() as connection:
            stamp = stamps.made(self._db, instance.stamp)
            row = {**self._row(connection, instance), **stamp}
            new_id = connection.execute(insert(s.instances).values(**row)).inserted_primary_key[0]
            stamps.wrote(self._db, "instances", new_id, stamp["version"])
            self._db.note_change(_change_of(instance, new_id))
        return instance.with_changes(id=new_id, stamp=Stamp(**stamp))

    def add_many(self, instances: Iterable[Instance]) -> int:
        """Insert many instances in one transaction (predictions over a video); returns the count."""
        instances = list(instances)
        with self._db.transaction() as connection:
            frame_ids = self._frame_ids(connection, {(i.video_id, i.frame_index) for i in instances})
            rows = []
            fresh = stamps.made(self._db)
            for instance in instances:
                row = instance_fields_to_row({name: getattr(instance, name) for name in INSTANCE_FIELDS})
                row.update(fresh if instance.stamp is None else stamps.made(self._db, instance.stamp))
                row["frame_id"] = frame_ids[(instance.video_id, instance.frame_index)]
                if instance.id is not None:
                    row["id"] = instance.id
                rows.append(row)
            if rows:
                connection.execute(insert(s.instances), rows)
                for video_id, frame_index in dict.fromkeys((i.video_id, i.frame_index) for i in instances):
                    self._db.note_change(Change("instances", video_id, frame_index, predicted=any(i.is_predicted for i in instances)))
        return len(rows)

    def update(self, instance_id: int, expected_version: int | None = None, **changes: Any) -> Instance:
        """Change fields of an instance (see `Instance`; its frame stays); returns it as it now is.
        With `expected_version` (the version the caller's view read), a row another labeller
        changed since is refused (`ConflictError`) and left as it is."""
        with self._db.transaction() as connection:
            before = self.get(instance_id)
            stamps.check(self._db, "instances", instance_id, before.stamp, expected_version)
            if not changes:
                return before
            condition = s.instances.c.id == instance_id
            if before.stamp is not None:
                condition = and_(condition, s.instances.c.version == before.stamp.version)
            values = {**instance_fields_to_row(changes), **stamps.changed(self._db, s.instances)}
            if connection.execute(update(s.instances).where(condition).values(**values)).rowcount == 0:
                raise self._lost_race(instance_id)
            after = self.get(instance_id)
            stamps.wrote(self._db, "instances", instance_id, after.stamp.version)
            self._db.note_change(_change_of(after, instance_id, before.track_id))
        return after

    def delete(self, instance_id: int, expected_version: int | None = None) -> Instance:
        """Delete an instance; returns it as it was, so it can be added back. `expected_version`:
        as for `update`."""
        with self._db.transaction() as connection:
            instance = self.get(instance_id)
            stamps.check(self._db, "instances", instance_id, instance.stamp, expected_version)
            condition = s.instances.c.id == instance_id
            if instance.stamp is not None:
                condition = and_(condition, s.instances.c.version == instance.stamp.version)
            if connection.execute(delete(s.instances).where(condition)).rowcount == 0:
                raise self._lost_race(instance_id)
            self._db.note_change(_change_of(instance, instance_id))
        return instance

    def _lost_race(self, instance_id: int) -> Exception:
        """The row changed between our read and our write (another client committed)."""
        try:
            current = self.get(instance_id)
        except NotFoundError:
            return NotFoundError(f"instance {instance_id} was deleted by someone else just now: reloaded")
        return ConflictError(stamps.conflict_message(f"instance {instance_id}", current.stamp, self._db.now()))

    def delete_predictions(self, video_id: int, start: int = 0, stop: int | None = None, model_id: int | None = None) -> int:
        """Remove predicted instances of a video in frames [start, stop); returns how many."""
        frame_ids = select(s.frames.c.id).where(s.frames.c.video_id == video_id, s.frames.c.frame_index >= start)
        if stop is not None:
            frame_ids = frame_ids.where(s.frames.c.frame_index < stop)
        condition = and_(s.instances.c.source == "predicted", s.instances.c.frame_id.in_(frame_ids))
        if model_id is not None:
            condition = and_(condition, s.instances.c.model_id == model_id)
        with self._db.transaction() as connection:
            removed = connection.execute(delete(s.instances).where(condition)).rowcount
            if removed:
                self._db.note_change(Change("instances", video_id, None, predicted=True))
            return removed

    def replace_model_predictions(
        self, video_id: int, model_id: int, frames: Iterable[int], instances: Iterable[Instance]
    ) -> dict[str, int]:
        """Replace model `model_id`'s predictions on `frames` of a video by `instances`, in one
        transaction (a predict run's batch); user labels, imports and other models' predictions
        stay. Returns those that stay on `frames`, counted by origin ("model 2",
        "coco:results.json", "an unknown origin")."""
        i, frames = s.instances.c, list(frames)
        on_frames = and_(i.source == "predicted", i.frame_id.in_(self._frame_ids_of(video_id, frames)))
        with self._db.transaction() as connection:
            removed = connection.execute(delete(s.instances).where(on_frames, i.model_id == model_id)).rowcount
            kept = connection.execute(
                select(i.model_id, i.origin, func.count())
                .where(on_frames, or_(i.model_id.is_(None), i.model_id != model_id))
                .group_by(i.model_id, i.origin)
            ).all()
            self._note_removed(video_id, frames, removed)
            self.add_many(instances)
        by_origin: dict[str, int] = {}
        for other_model, origin, n in kept:
            key = f"model {other_model}" if other_model is not None else origin or "an unknown origin"
            by_origin[key] = by_origin.get(key, 0) + n
        return by_origin

    def replace_origin_predictions(self, video_id: int, origin: str, frames: Iterable[int], instances: Iterable[Instance]) -> int:
        """Replace the predictions of `origin` (e.g. "onnx:model.onnx") on `frames` of a video by
        `instances`, in one transaction; every other row stays. Returns how many were removed."""
        i, frames = s.instances.c, list(frames)
        condition = and_(i.source == "predicted", i.origin == origin, i.frame_id.in_(self._frame_ids_of(video_id, frames)))
        with self._db.transaction() as connection:
            removed = connection.execute(delete(s.instances).where(condition)).rowcount
            self._note_removed(video_id, frames, removed)
            self.add_many(instances)
        return removed

    def _note_removed(self, video_id: int, frames: list[int], removed: int) -> None:
        """Announce the frames whose predictions went (a frame left empty gets no new instance
        to announce it; the rest are announced twice and kept once)."""
        if removed:
            for frame_index in frames:
                self._db.note_change(Change("instances", video_id, frame_index, predicted=True))

    @staticmethod
    def _frame_ids_of(video_id: int, frames: Iterable[int]):
        """The subquery of the frame ids of `frames` of a video (one statement, any number)."""
        return select(s.frames.c.id).where(s.frames.c.video_id == video_id, s.frames.c.frame_index.in_(list(frames)))

    # --- reading -----------------------------------------------------------------------------

    def get(self, instance_id: int) -> Instance:
        with self._db.reading() as connection:
            row = connection.execute(_SELECT.where(s.instances.c.id == instance_id)).first()
        if row is None:
            raise NotFoundError(f"there is no instance with id {instance_id}")
        return instance_from_row(row, row.video_id, row.frame_index)

    def on_frame(self, video_id: int, frame_index: int, source: str | None = None) -> list[Instance]:
        """The instances of one frame, user labels first, in the order they were made."""
        query = _SELECT.where(s.frames.c.video_id == video_id, s.frames.c.frame_index == frame_index)
        if source is not None:
            query = query.where(s.instances.c.source == source)
        with self._db.reading() as connection:
            rows = connection.execute(query.order_by(s.instances.c.source.desc(), s.instances.c.id)).all()
        return [instance_from_row(row, video_id, frame_index) for row in rows]

    def on_frames(self, video_id: int, start: int, stop: int, source: str | None = None) -> dict[int, list[Instance]]:
        """Instances of frames [start, stop) of a video, by frame index (for batch work)."""
        query = _SELECT.where(
            s.frames.c.video_id == video_id, s.frames.c.frame_index >= start, s.frames.c.frame_index < stop
        )
        if source is not None:
            query = query.where(s.instances.c.source == source)
        by_frame: dict[int, list[Instance]] = {}
        with self._db.reading() as connection:
            for row in connection.execute(query.order_by(s.frames.c.frame_index, s.instances.c.id)):
                by_frame.setdefault(row.frame_index, []).append(instance_from_row(row, video_id, row.frame_index))
        return by_frame

    def labeled_frames(self, video_id: int | None = None, source: str = "user") -> list[tuple[int, int]]:
        """(video id, frame index) of every frame with at least one instance from `source`, sorted."""
        query = (
            select(s.frames.c.video_id, s.frames.c.frame_index)
            .distinct()
            .join(s.instances, s.instances.c.frame_id == s.frames.c.id)
            .where(s.instances.c.source == source)
        )
        if video_id is not None:
            query = query.where(s.frames.c.video_id == video_id)
        with self._db.reading() as connection:
            rows = connection.execute(query.order_by(s.frames.c.video_id, s.frames.c.frame_index)).all()
        return [(row[0], row[1]) for row in rows]

    def frames_predicted_by(self, video_id: int, model_id: int) -> set[int]:
        """The frame indices of a video on which model `model_id` has predictions (what a
        resumed predict run skips)."""
        query = (
            select(s.frames.c.frame_index)
            .distinct()
            .join(s.instances, s.instances.c.frame_id == s.frames.c.id)
            .where(s.frames.c.video_id == video_id, s.instances.c.model_id == model_id, s.instances.c.source == "predicted")
        )
        with self._db.reading() as connection:
            return set(connection.execute(query).scalars())

    # --- reviewing predictions ---------------------------------------------------------------

    def highest_score(self, video_id: int) -> float | None:
        """The highest score of a video's predictions (None without any): the scale of the
        review's threshold slider."""
        query = (
            select(func.max(s.instances.c.score))
            .join(s.frames, s.instances.c.frame_id == s.frames.c.id)
            .where(s.frames.c.video_id == video_id, s.instances.c.source == "predicted")
        )
        with self._db.reading() as connection:
            return connection.execute(query).scalar()

    def frame_confidences(
        self, video_id: int, min_score: float = 0.0, model_id: int | None = None,
        frames: Iterable[int] | None = None, lowest: int | None = None,
    ) -> list[tuple[int, float, int]]:  # fmt: skip
        """(frame index, confidence, number of visible predictions) of each frame of a video with
        visible predictions: those scoring at least `min_score` or unscored (confidence: the
        frame's lowest score, an unscored prediction counting 0), of `model_id` only when given.
        Of `frames` only, when given; the `lowest` least confident only (in that order), when
        given; otherwise in no particular order. Grouped by the instances' frame id, the order
        of their index, so no temporary sort of the whole video is needed (200,000 frames)."""
        i, f = s.instances.c, s.frames.c
        confidence = func.min(func.coalesce(i.score, 0.0))
        query = (
            select(f.frame_index, confidence, func.count())
            .select_from(s.instances.join(s.frames, i.frame_id == f.id))
            .where(f.video_id == video_id, i.source == "predicted", or_(i.score.is_(None), i.score >= min_score))
            # PostgreSQL wants the selected frame_index grouped too (the same groups: one frame
            # id, one index); SQLite keeps grouping by the index's order alone
            .group_by(i.frame_id, *(() if self._db.is_sqlite else (f.frame_index,)))
        )
        if model_id is not None:
            query = query.where(i.model_id == model_id)
        if frames is not None:
            wanted = sorted(set(frames))
            if not wanted:
                return []
            query = query.where(f.frame_index.in_(wanted))
        if lowest is not None:
            query = query.order_by(confidence, f.frame_index).limit(lowest)
        with self._db.reading() as connection:
            return [(row[0], float(row[1]), int(row[2])) for row in connection.execute(query)]

    def latest_node_scored_model(self, video_id: int) -> int | None:
        """The model that made the latest of a video's predictions carrying node scores (a pose
        model's), or None when none carries them."""
        i = s.instances.c
        query = (
            select(i.model_id)
            .join(s.frames, i.frame_id == s.frames.c.id)
            .where(s.frames.c.video_id == video_id, i.source == "predicted", i.model_id.is_not(None), i.keypoint_scores.is_not(None))
            .order_by(i.id.desc())
            .limit(1)
        )
        with self._db.reading() as connection:
            return connection.execute(query).scalar()

    # --- whole videos as arrays ----------------------------------------------------------------

    def as_arrays(self, video_id: int) -> InstanceRows:
        """Every instance of a video as columns of arrays, in one query, sorted by frame then id
        (what the whole-video analyses read: 100,000 predictions in a fraction of a second)."""
        return read_instance_rows(self._db, video_id)

    def shape_boxes(self, instance_ids: Iterable[int]) -> dict[int, tuple[float, float, float, float] | None]:
        """By instance id, the box of each instance's mask (its bounding box, None when empty)
        or else polygons (their extent); None for an instance with neither."""
        return shape_boxes(self._db, instance_ids)

    # --- other reads ---------------------------------------------------------------------------

    def keypoints_of_skeleton(self, skeleton_id: int) -> dict[int, np.ndarray]:
        """Keypoints of every instance of a skeleton, by instance id (for reshaping them)."""
        query = select(s.instances.c.id, s.instances.c.keypoints).where(
            s.instances.c.skeleton_id == skeleton_id, s.instances.c.keypoints.is_not(None)
        )
        with self._db.reading() as connection:
            return {row.id: unpack_floats(row.keypoints, 3) for row in connection.execute(query)}

    def track_frames(self, video_id: int) -> dict[int, np.ndarray]:
        """The frames of a video on which each track appears, sorted, by track id (one query:
        what a track overview draws)."""
        query = (
            select(s.instances.c.track_id, s.frames.c.frame_index)
            .distinct()
            .join(s.frames, s.frames.c.id == s.instances.c.frame_id)
            .where(s.frames.c.video_id == video_id, s.instances.c.track_id.is_not(None))
            .order_by(s.instances.c.track_id, s.frames.c.frame_index)
        )
        by_track: dict[int, list[int]] = {}
        with self._db.reading() as connection:
            for track_id, frame in connection.execute(query):
                by_track.setdefault(track_id, []).append(frame)
        return {track: np.asarray(frames, dtype=np.int64) for track, frames in by_track.items()}

    def track_members(self, video_id: int, track_ids: Iterable[int], from_frame: int = 0) -> list[tuple[int, int, int]]:
        """(instance id, frame index, track id) of the instances of `track_ids` on frames >=
        `from_frame` of a video: one query of three columns, no instance decoded
        (swapping identities from a frame of a video with 100,000 predictions)."""
        query = (
            select(s.instances.c.id, s.frames.c.frame_index, s.instances.c.track_id)
            .join(s.frames, s.frames.c.id == s.instances.c.frame_id)
            .where(s.frames.c.video_id == video_id, s.frames.c.frame_index >= from_frame)
            .where(s.instances.c.track_id.in_(sorted(set(track_ids))))
        )
        with self._db.reading() as connection:
            return [(row[0], row[1], row[2]) for row in connection.execute(query)]

    def with_track(self, track_id: int) -> list[int]:
        with self._db.reading() as connection:
            return list(connection.execute(select(s.instances.c.id).where(s.instances.c.track_id == track_id)).scalars())

    def set_track(self, instance_ids: list[int], track_id: int | None) -> None:
        """Give many instances one track (tracking, merging tracks) in one transaction. On SQLite
        the ids go in as one JSON array (one statement, none of the per-id parameter binding that
        costs a quarter second for the 40,000 instances of a swap on a long video)."""
        # who and when, but no new version: a bulk re-identification (tracking, swapping two
        # identities from a frame) does not make another labeller's pending edit stale
        stamp = {"changed_by": self._db.user, "changed_at": self._db.now()}
        with self._db.transaction() as connection:
            tracks = () if track_id is None else (track_id,)
            self._db.note_change(Change("instances", None, None, tuple(instance_ids)[:200], tracks))
            if self._db.is_sqlite:
                ids = json.dumps([int(i) for i in instance_ids])
                connection.execute(_SET_TRACK_SQLITE, {"track": track_id, "ids": ids, "by": stamp["changed_by"], "at": stamp["changed_at"]})
                return
            for chunk in chunked(instance_ids):
                connection.execute(update(s.instances).where(s.instances.c.id.in_(chunk)).values(track_id=track_id, **stamp))

    def summary(self) -> dict[str, int]:
        """Counts by source and by annotation kind, in one pass over the table."""
        i = s.instances.c
        query = select(
            func.count().filter(i.source == "user"),
            func.count().filter(i.source == "predicted"),
            func.count(i.x1),
            func.count().filter((i.mask.is_not(None)) | (i.polygons.is_not(None))),
            func.count(i.keypoints),
            func.count(distinct(i.frame_id)).filter(i.source == "user"),
        )
        with self._db.reading() as connection:
            row = connection.execute(query).one()
        keys = ("instances_user", "instances_predicted", "boxes", "masks", "keypoint_instances", "frames_labeled")
        return dict(zip(keys, row))

    def count(self, source: str | None = None, kind: str | None = None) -> int:
        """How many instances, optionally from one source and carrying one kind of annotation
        (`box`, `mask` for polygons or raster masks, `keypoints`)."""
        query = select(func.count()).select_from(s.instances)
        if source is not None:
            query = query.where(s.instances.c.source == source)
        if kind == "box":
            query = query.where(s.instances.c.x1.is_not(None))
        elif kind == "mask":
            query = query.where((s.instances.c.mask.is_not(None)) | (s.instances.c.polygons.is_not(None)))
        elif kind == "keypoints":
            query = query.where(s.instances.c.keypoints.is_not(None))
        elif kind is not None:
            raise ValueError(f"unknown annotation kind {kind!r}")
        with self._db.reading() as connection:
            return connection.execute(query).scalar_one()

    # --- frames ------------------------------------------------------------------------------

    def _row(self, connection: Connection, instance: Instance) -> dict[str, Any]:
        row = instance_fields_to_row({name: getattr(instance, name) for name in INSTANCE_FIELDS})
        row["frame_id"] = self._frame_ids(connection, {(instance.video_id, instance.frame_index)})[
            (instance.video_id, instance.frame_index)
        ]
        if instance.id is not None:
            row["id"] = instance.id
        return row

    def _frame_ids(self, connection: Connection, keys: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
        """Ids of the frame rows for (video id, frame index) keys, creating the missing ones.
        Runs inside a write transaction, which on SQLite holds the write lock: no race."""
        found = self._existing_frame_ids(connection, keys)
        missing = [{"video_id": v, "frame_index": f} for (v, f) in keys if (v, f) not in found]
        if missing:
            connection.execute(insert(s.frames), missing)
            found.update(self._existing_frame_ids(connection, {(r["video_id"], r["frame_index"]) for r in missing}))
        return found

    @staticmethod
    def _existing_frame_ids(connection: Connection, keys: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
        by_video: dict[int, list[int]] = {}
        for video_id, frame_index in keys:
            by_video.setdefault(video_id, []).append(frame_index)
        found: dict[tuple[int, int], int] = {}
        for video_id, indices in by_video.items():
            for chunk in chunked(sorted(indices)):
                rows = connection.execute(
                    select(s.frames.c.id, s.frames.c.frame_index).where(
                        s.frames.c.video_id == video_id, s.frames.c.frame_index.in_(chunk)
                    )
                )
                found.update({(video_id, row.frame_index): row.id for row in rows})
        return found


def _change_of(instance: Instance, instance_id: int, other_track: int | None = None) -> Change:
    """What writing `instance` touched: its frame, itself, and its tracks (before and after)."""
    tracks = tuple(sorted({instance.track_id, other_track} - {None}))
    return Change("instances", instance.video_id, instance.frame_index, (instance_id,), tracks, instance.is_predicted)
