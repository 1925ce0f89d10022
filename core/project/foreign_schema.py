"""Schema objects in a project's database that Ethoframe did not create.

A project file from elsewhere can carry SQLite triggers and views (or extra tables and
indexes) that run on every write: one that deletes labels whenever an import inserts rows
would wipe a project while every command reports success. Opening refuses such a file, naming
what it found; dropping them takes the user's explicit word (`ethoframe check --drop-foreign-schema`).
SQLite's own objects (`sqlite_sequence`, `sqlite_stat1`, automatic indexes) are not foreign.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from core.project import schema as s

_OURS = {("table", name) for name in s.metadata.tables} | {
    ("index", index.name) for table in s.metadata.tables.values() for index in table.indexes
}


@dataclass(frozen=True)
class ForeignObject:
    kind: str  # "trigger" | "view" | "table" | "index"
    name: str
    table: str  # the table it belongs to (itself for tables and views)

    def describe(self) -> str:
        return f"{self.kind} {self.name!r}" + (f" on {self.table}" if self.table != self.name else "")


def find_foreign_objects(connection: Connection) -> list[ForeignObject]:
    """Every trigger, view, table and index in the database that Ethoframe's schema lacks."""
    if connection.dialect.name != "sqlite":
        return []
    return foreign_objects_in(connection.exec_driver_sql(SCHEMA_QUERY).all())


SCHEMA_QUERY = "SELECT type, name, tbl_name FROM sqlite_master ORDER BY type, name"


def foreign_objects_in(rows) -> list[ForeignObject]:
    """The foreign ones of `sqlite_master` rows (type, name, tbl_name), as SCHEMA_QUERY reads them."""
    return [
        ForeignObject(kind, name, table)
        for kind, name, table in rows
        if (kind, name) not in _OURS and not name.startswith("sqlite_")
    ]


def drop_foreign_objects(connection: Connection, objects: list[ForeignObject]) -> None:
    """Drop `objects` (triggers and views first: they may name the tables) in the caller's transaction."""
    order = {"trigger": 0, "view": 1, "index": 2, "table": 3}
    for obj in sorted(objects, key=lambda o: order.get(o.kind, 4)):
        quoted = '"' + obj.name.replace('"', '""') + '"'
        connection.exec_driver_sql(f"DROP {obj.kind.upper()} IF EXISTS {quoted}")
