"""Schema versions and the steps between them.

`MIGRATIONS[v]` upgrades a database from version v to v + 1, inside the transaction that opens
it; the file is copied aside first (`project.sqlite.v<N>.bak`) so a failed upgrade loses
nothing. A project from a newer Ethoframe is refused rather than guessed at.

Why not Alembic: a desktop project file is upgraded by the app that opens it, offline, with no
migration scripts folder or env.py to ship; a list of functions does that in one screen. A lab
server on PostgreSQL could adopt Alembic over the same `schema.metadata` later.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, select, update

from core.project import schema as s

Migration = Callable[[Connection], None]

# version -> function upgrading that version to the next. Empty while version 1 is current.
MIGRATIONS: dict[int, Migration] = {}


def read_version(connection: Connection) -> int | None:
    row = connection.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).first()
    return None if row is None else int(row[0])


def upgrade(connection: Connection, from_version: int, to_version: int) -> None:
    """Run the migrations from `from_version` to `to_version` in the caller's transaction."""
    for version in range(from_version, to_version):
        MIGRATIONS[version](connection)
    connection.execute(update(s.meta).where(s.meta.c.key == "schema_version").values(value=str(to_version)))
