"""The labellers of a project: each one's folder for the models and exports of a shared
project, and counts of what each made (`ethoframe info --by-user`)."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update

from core.project import schema as s
from core.project.database import Database


class UserTable:
    def __init__(self, db: Database) -> None:
        self._db = db

    def folder_of(self, user: str) -> str | None:
        with self._db.reading() as connection:
            return connection.execute(select(s.users.c.folder).where(s.users.c.name == user)).scalar_one_or_none()

    def set_folder(self, user: str, folder: str) -> None:
        self._set(user, folder=folder)

    def video_roots(self, user: str) -> list[tuple[str, str]]:
        """(project prefix, this workstation's prefix) pairs: where `user` mounts the videos."""
        with self._db.reading() as connection:
            roots = connection.execute(select(s.users.c.video_roots).where(s.users.c.name == user)).scalar_one_or_none()
        return [(a, b) for a, b in roots or ()]

    def set_video_roots(self, user: str, roots: list[tuple[str, str]]) -> None:
        self._set(user, video_roots=[list(r) for r in roots] or None)

    def _set(self, user: str, **values) -> None:
        with self._db.transaction() as connection:
            row = connection.execute(select(s.users).where(s.users.c.name == user)).first()
            if row is None:
                connection.execute(insert(s.users).values(name=user, **values))
            else:
                connection.execute(update(s.users).where(s.users.c.name == user).values(**values))

    def counts(self) -> dict[str, dict[str, int]]:
        """Per labeller (who made it; "unknown" before schema 4): user instances, predicted
        instances they ran, events, and instances they changed last, in one read."""
        i, e = s.instances.c, s.behaviour_events.c
        made = func.coalesce(i.created_by, "unknown")
        by: dict[str, dict[str, int]] = {}

        def slot(name: str) -> dict[str, int]:
            return by.setdefault(name, {"labels": 0, "predictions": 0, "events": 0, "labels_last_changed": 0})

        with self._db.reading() as connection:
            for name, source, count in connection.execute(select(made, i.source, func.count()).group_by(made, i.source)):
                slot(name)["labels" if source == "user" else "predictions"] += count
            changed = func.coalesce(i.changed_by, i.created_by, "unknown")
            query = select(changed, func.count()).where(i.source == "user").group_by(changed)
            for name, count in connection.execute(query):
                slot(name)["labels_last_changed"] += count
            who = func.coalesce(e.created_by, "unknown")
            for name, count in connection.execute(select(who, func.count()).where(e.source == "user").group_by(who)):
                slot(name)["events"] += count
        return dict(sorted(by.items()))
