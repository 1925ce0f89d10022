"""Schema versions and the steps between them.

`MIGRATIONS[v]` upgrades a database from version v to v + 1, inside the transaction that opens
it; the file is copied aside first (`project.sqlite.v<N>.bak`) so a failed upgrade loses
nothing. A project from a newer Ethoframe is refused rather than guessed at. Migrations run
with SQLite's foreign-key enforcement off (it can only be switched outside a transaction), as
SQLite's own procedure for rebuilding a table asks, and end with a foreign-key check.

Why not Alembic: a desktop project file is upgraded by the app that opens it, offline, with no
migration scripts folder or env.py to ship; a list of functions does that in one screen. A lab
server on PostgreSQL could adopt Alembic over the same `schema.metadata` later.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Table, inspect, select, update
from sqlalchemy.schema import CreateIndex, CreateTable

from core.project import schema as s
from core.project.errors import ProjectError

Migration = Callable[[Connection], None]


def read_version(connection: Connection) -> int | None:
    row = connection.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).first()
    return None if row is None else int(row[0])


def upgrade(connection: Connection, from_version: int, to_version: int) -> None:
    """Run the migrations from `from_version` to `to_version` in the caller's transaction."""
    for version in range(from_version, to_version):
        MIGRATIONS[version](connection)
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise ProjectError(f"the upgrade would leave {len(broken)} broken references (first: {tuple(broken[0])})")
    connection.execute(update(s.meta).where(s.meta.c.key == "schema_version").values(value=str(to_version)))


def rebuild_table(connection: Connection, table: Table) -> None:
    """Recreate `table` as `schema` now declares it, keeping its rows and their ids (SQLite's
    12-step ALTER: make the new table, copy, drop the old, rename the new; indexes again)."""
    new_name = f"_new_{table.name}"
    create = str(CreateTable(table).compile(dialect=connection.dialect)).strip()
    prefix = f"CREATE TABLE {table.name} ("
    if not create.startswith(prefix):
        raise ProjectError(f"cannot rebuild table {table.name}: unexpected definition")
    connection.exec_driver_sql(f"CREATE TABLE {new_name} (" + create[len(prefix) :])
    old_columns = {row[1] for row in connection.exec_driver_sql(f"PRAGMA table_info({table.name})")}
    columns = ", ".join(c.name for c in table.columns if c.name in old_columns)
    connection.exec_driver_sql(f"INSERT INTO {new_name} ({columns}) SELECT {columns} FROM {table.name}")
    connection.exec_driver_sql(f"DROP TABLE {table.name}")
    connection.exec_driver_sql(f"ALTER TABLE {new_name} RENAME TO {table.name}")
    for index in table.indexes:
        connection.execute(CreateIndex(index))


def _ids_never_reused(connection: Connection) -> None:
    """1 -> 2: AUTOINCREMENT on every table with an id (PostgreSQL's sequences never reuse)."""
    if connection.dialect.name != "sqlite":
        return
    for table in s.metadata.sorted_tables:
        if table.kwargs.get("sqlite_autoincrement"):
            rebuild_table(connection, table)


def _instance_origin(connection: Connection) -> None:
    """2 -> 3: instances.origin (a database rebuilt by 1 -> 2 has it already)."""
    columns = {c["name"] for c in inspect(connection).get_columns("instances")}
    if "origin" not in columns:
        connection.exec_driver_sql("ALTER TABLE instances ADD COLUMN origin VARCHAR")


def _team_labelling(connection: Connection) -> None:
    """3 -> 4: who and when on instances and events, a version per row, `users`, `changes`
    (a database rebuilt by 1 -> 2 has the columns already)."""
    for table in (s.instances, s.behaviour_events):
        columns = {c["name"] for c in inspect(connection).get_columns(table.name)}
        for column in s.stamp_columns():
            if column.name in columns:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            default = f" NOT NULL DEFAULT {column.server_default.arg}" if column.server_default is not None else ""
            connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}{default}")
    for table in (s.users, s.changes):
        table.create(connection, checkfirst=True)


def _assigned_suggestions(connection: Connection) -> None:
    """4 -> 5: suggestions.assigned_to."""
    columns = {c["name"] for c in inspect(connection).get_columns("suggestions")}
    if "assigned_to" not in columns:
        connection.exec_driver_sql("ALTER TABLE suggestions ADD COLUMN assigned_to VARCHAR")


def _video_roots(connection: Connection) -> None:
    """5 -> 6: users.video_roots (a users table made by 3 -> 4 has it already)."""
    columns = {c["name"] for c in inspect(connection).get_columns("users")}
    if "video_roots" not in columns:
        kind = s.users.c.video_roots.type.compile(dialect=connection.dialect)
        connection.exec_driver_sql(f"ALTER TABLE users ADD COLUMN video_roots {kind}")


# version -> function upgrading that version to the next.
MIGRATIONS: dict[int, Migration] = {
    1: _ids_never_reused, 2: _instance_origin, 3: _team_labelling, 4: _assigned_suggestions, 5: _video_roots,
}  # fmt: skip
