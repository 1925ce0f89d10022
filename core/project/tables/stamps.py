"""The who-and-when columns and the version check shared by the instance and event tables.

Optimistic concurrency: every row carries a version, one more at each change. A write that
says which version it read (`expected`) is refused with `ConflictError` when the row has moved
on, and the UPDATE itself is conditional on that version, so two labellers committing at the
same moment cannot both win: on PostgreSQL the second UPDATE re-reads the row after the first
commits and matches nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from core.domain import Stamp
from core.domain.stamp import ago
from core.project.database import Database
from core.project.errors import ConflictError


def made(db: Database, stamp: Stamp | None = None) -> dict[str, Any]:
    """Columns of a new row. A row put back (undo of a delete) keeps who made it and when, and
    its version: it holds again exactly what that version held, so an edit made from it (ours
    or another labeller's) still applies."""
    now = db.now()
    if stamp is None:
        return {"version": 1, "created_by": db.user, "created_at": now, "changed_by": None, "changed_at": None}
    return {"version": stamp.version, "created_by": stamp.created_by, "created_at": stamp.created_at,
            "changed_by": db.user, "changed_at": now}  # fmt: skip


def changed(db: Database, table: Table) -> dict[str, Any]:
    """Values for an UPDATE: the version goes up, and who changed it and when."""
    return {"version": table.c.version + 1, "changed_by": db.user, "changed_at": db.now()}


def check(db: Database, table: str, record_id: int, stamp: Stamp | None, expected: int | None) -> None:
    """Refuse a write from a view that read version `expected` when someone else has written
    the row since. Versions this process wrote itself do not count: undoing an edit after
    undoing a later edit of the same instance finds the row moved on by our own undo."""
    if expected is None or stamp is None or stamp.version == expected:
        return
    own = db.own_versions.get((table, record_id), set())
    if stamp.version in own:  # the last write was ours: were the ones before it ours too?
        if expected > stamp.version:  # our undo of its deletion put it back under a lower version
            return
        if all(v in own for v in range(expected + 1, stamp.version + 1)):
            return
    raise ConflictError(conflict_message(f"{table[:-1].replace('behaviour_event', 'event')} {record_id}", stamp, db.now()))


def wrote(db: Database, table: str, record_id: int, version: int) -> None:
    """Remember that this process made `version` of the row (see `check`)."""
    db.own_versions.setdefault((table, record_id), set()).add(version)


def conflict_message(what: str, stamp: Stamp, now: float) -> str:
    when = f" {ago(now, stamp.last_at)}" if stamp.last_at is not None else ""
    return f"{what} was changed by {stamp.last_by or 'someone else'}{when}: reloaded; nothing was overwritten"
