"""Behaviour events: bouts of ethogram behaviours over frame ranges, coded or predicted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update

from core.domain import BehaviourEvent
from core.project import schema as s
from core.project.codec import EVENT_FIELDS, event_fields_to_row, event_from_row
from core.domain import Stamp
from core.project.changes import Change
from core.project.database import Database
from core.project.errors import ConflictError, NotFoundError
from core.project.tables import stamps

_E = s.behaviour_events


class EventTable:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, event: BehaviourEvent) -> BehaviourEvent:
        row = event_fields_to_row({name: getattr(event, name) for name in EVENT_FIELDS})
        if event.id is not None:
            row["id"] = event.id
        with self._db.transaction() as connection:
            stamp = stamps.made(self._db, event.stamp)
            new_id = connection.execute(insert(_E).values(**row, **stamp)).inserted_primary_key[0]
            stamps.wrote(self._db, "behaviour_events", new_id, stamp["version"])
            self._db.note_change(_change_of(event))
        return event.with_changes(id=new_id, stamp=Stamp(**stamp))

    def add_many(self, events: list[BehaviourEvent]) -> int:
        fresh = stamps.made(self._db)
        rows = [{**event_fields_to_row({name: getattr(e, name) for name in EVENT_FIELDS}), **fresh} for e in events]
        with self._db.transaction() as connection:
            if rows:
                connection.execute(insert(_E), rows)
                for video_id in sorted({e.video_id for e in events}):
                    self._db.note_change(Change("events", video_id, predicted=any(e.source == "predicted" for e in events)))
        return len(rows)

    def replace_predicted(self, video_id: int, events: list[BehaviourEvent], model_ids: Iterable[int] | None = None,
                          unattributed: bool = True) -> int:  # fmt: skip
        """Swap predicted events of a video for `events`, in one transaction; the user's own
        events stay. Which go: every predicted event (`model_ids` None), or those of the models
        `model_ids` (a task's models, so another task's predictions on the video stay), plus
        those of no model (`unattributed`: older predictions, or of a deleted model). Returns
        how many were written."""
        condition = (_E.c.video_id == video_id) & (_E.c.source == "predicted")
        if model_ids is not None:
            ours = _E.c.model_id.in_(sorted(set(model_ids)))
            condition &= or_(ours, _E.c.model_id.is_(None)) if unattributed else ours
        with self._db.transaction() as connection:
            removed = connection.execute(delete(_E).where(condition)).rowcount
            if removed:
                self._db.note_change(Change("events", video_id, predicted=True))
            return self.add_many(events)

    def get(self, event_id: int) -> BehaviourEvent:
        with self._db.reading() as connection:
            row = connection.execute(select(_E).where(_E.c.id == event_id)).first()
        if row is None:
            raise NotFoundError(f"there is no behaviour event with id {event_id}")
        return event_from_row(row)

    def update(self, event_id: int, expected_version: int | None = None, **changes: Any) -> BehaviourEvent:
        """Change fields of an event; `expected_version` refuses a write from a stale view."""
        with self._db.transaction() as connection:
            before = self.get(event_id)
            stamps.check(self._db, "behaviour_events", event_id, before.stamp, expected_version)
            event = before.with_changes(**changes)  # validates start <= end
            row = event_fields_to_row({name: getattr(event, name) for name in changes})
            condition = (_E.c.id == event_id) & (_E.c.version == before.stamp.version)
            if connection.execute(update(_E).where(condition).values(**row, **stamps.changed(self._db, _E))).rowcount == 0:
                raise self._lost_race(event_id)
            stamps.wrote(self._db, "behaviour_events", event_id, before.stamp.version + 1)
            self._db.note_change(_change_of(before))
            if event.video_id != before.video_id:
                self._db.note_change(_change_of(event))
        return self.get(event_id)

    def delete(self, event_id: int, expected_version: int | None = None) -> BehaviourEvent:
        with self._db.transaction() as connection:
            event = self.get(event_id)
            stamps.check(self._db, "behaviour_events", event_id, event.stamp, expected_version)
            condition = (_E.c.id == event_id) & (_E.c.version == event.stamp.version)
            if connection.execute(delete(_E).where(condition)).rowcount == 0:
                raise self._lost_race(event_id)
            self._db.note_change(_change_of(event))
        return event

    def _lost_race(self, event_id: int) -> Exception:
        try:
            current = self.get(event_id)
        except NotFoundError:
            return NotFoundError(f"event {event_id} was deleted by someone else just now: reloaded")
        return ConflictError(stamps.conflict_message(f"event {event_id}", current.stamp, self._db.now()))

    def in_video(
        self,
        video_id: int,
        start: int | None = None,
        stop: int | None = None,
        source: str | None = None,
        behaviour_id: int | None = None,
    ) -> list[BehaviourEvent]:
        """Events of a video overlapping frames [start, stop), by start frame."""
        query = select(_E).where(_E.c.video_id == video_id)
        if stop is not None:
            query = query.where(_E.c.start_frame < stop)
        if start is not None:
            query = query.where(or_(_E.c.end_frame.is_(None), _E.c.end_frame >= start))
        if source is not None:
            query = query.where(_E.c.source == source)
        if behaviour_id is not None:
            query = query.where(_E.c.behaviour_id == behaviour_id)
        with self._db.reading() as connection:
            rows = connection.execute(query.order_by(_E.c.start_frame, _E.c.id)).all()
        return [event_from_row(row) for row in rows]

    def open_event(self, video_id: int, behaviour_id: int, subject_id: int | None) -> BehaviourEvent | None:
        """The state event of this behaviour and subject that was started and not yet stopped."""
        subject = _E.c.subject_id.is_(None) if subject_id is None else _E.c.subject_id == subject_id
        query = select(_E).where(
            _E.c.video_id == video_id, _E.c.behaviour_id == behaviour_id, subject, _E.c.end_frame.is_(None)
        )
        with self._db.reading() as connection:
            row = connection.execute(query.order_by(_E.c.id.desc())).first()
        return None if row is None else event_from_row(row)

    def count(self, source: str | None = None) -> int:
        query = select(func.count()).select_from(_E)
        if source is not None:
            query = query.where(_E.c.source == source)
        with self._db.reading() as connection:
            return connection.execute(query).scalar_one()


def _change_of(event: BehaviourEvent) -> Change:
    subjects = () if event.subject_id is None else (event.subject_id,)
    return Change("events", event.video_id, None, (), subjects, event.source == "predicted")
