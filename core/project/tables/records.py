"""A generic accessor for a table of small records (classes, tracks, skeletons, behaviours...).

Deleting a record returns a `Removal` that holds the record and what the database changed
because of it (rows it cascaded away, references it set to NULL), so `restore` can put all of
it back exactly: that is what makes deleting a class or a behaviour undoable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import Table, delete, insert, select, update

from core.project.database import Database
from core.project.errors import NotFoundError

T = TypeVar("T")


@dataclass(frozen=True)
class Dependent:
    """A table whose `column` references this table, and what happens to its rows on delete."""

    table: Table
    column: str
    on_delete: Literal["cascade", "set_null"]


@dataclass(frozen=True)
class Removal(Generic[T]):
    """A deleted record and its consequences: cascaded rows, and ids whose reference was nulled."""

    record: T
    cascaded: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    nulled: dict[tuple[str, str], list[int]] = field(default_factory=dict)


class RecordTable(Generic[T]):
    """Add, get, list, update, delete and restore records of one table as domain objects."""

    kind = "record"  # a human word for error messages, set by subclasses
    announced = False  # whether other windows are told of changes (the catalog: classes, tracks...)

    def __init__(
        self,
        db: Database,
        table: Table,
        from_row: Callable[[Any], T],
        to_row: Callable[[T], dict[str, Any]] | None = None,
        dependents: tuple[Dependent, ...] = (),
    ) -> None:
        self._db = db
        self.table = table
        self._from_row = from_row
        self._to_row = to_row or _dataclass_to_row
        self._dependents = dependents

    def add(self, record: T) -> T:
        """Insert `record` (with its own id when it has one, as undo needs) and return it with its id."""
        row = self._to_row(record)
        if getattr(record, "id", None) is not None:
            row["id"] = record.id
        with self._db.transaction() as connection:
            new_id = connection.execute(insert(self.table).values(**row)).inserted_primary_key[0]
            self._announce()
        return replace(record, id=new_id)

    def get(self, record_id: int) -> T:
        with self._db.reading() as connection:
            row = connection.execute(select(self.table).where(self.table.c.id == record_id)).first()
        if row is None:
            raise NotFoundError(f"there is no {self.kind} with id {record_id}")
        return self._from_row(row)

    def all(self) -> list[T]:
        with self._db.reading() as connection:
            rows = connection.execute(select(self.table).order_by(self.table.c.id)).all()
        return [self._from_row(row) for row in rows]

    def find(self, name: str) -> T | None:
        """The record called `name`, for tables that have names."""
        with self._db.reading() as connection:
            row = connection.execute(select(self.table).where(self.table.c.name == name)).first()
        return None if row is None else self._from_row(row)

    def count(self) -> int:
        return len(self.all())

    def update(self, record_id: int, **changes: Any) -> T:
        """Change some fields of a record; returns the record as it now is."""
        record = self.get(record_id)
        row = self._to_row(replace(record, **changes))
        with self._db.transaction() as connection:
            connection.execute(update(self.table).where(self.table.c.id == record_id).values(**row))
            self._announce()
        return self.get(record_id)

    def delete(self, record_id: int) -> Removal[T]:
        """Delete a record, returning what `restore` needs to undo it."""
        with self._db.transaction() as connection:
            record = self.get(record_id)
            cascaded: dict[str, list[dict[str, Any]]] = {}
            nulled: dict[tuple[str, str], list[int]] = {}
            for dependent in self._dependents:
                column = dependent.table.c[dependent.column]
                if dependent.on_delete == "cascade":
                    rows = connection.execute(select(dependent.table).where(column == record_id)).all()
                    cascaded[dependent.table.name] = [dict(r._mapping) for r in rows]
                else:
                    ids = connection.execute(select(dependent.table.c.id).where(column == record_id)).scalars().all()
                    nulled[(dependent.table.name, dependent.column)] = list(ids)
            connection.execute(delete(self.table).where(self.table.c.id == record_id))
            self._announce()
        return Removal(record, cascaded, nulled)

    def _announce(self) -> None:
        if self.announced:
            from core.project.changes import Change

            self._db.note_change(Change("catalog"))

    def restore(self, removal: Removal[T]) -> T:
        """Undo `delete`: the record with its id, its cascaded rows, and the references to it."""
        tables = {d.table.name: d.table for d in self._dependents}
        with self._db.transaction() as connection:
            record = self.add(removal.record)
            for table_name, rows in removal.cascaded.items():
                if rows:
                    connection.execute(insert(tables[table_name]), rows)
            for (table_name, column), ids in removal.nulled.items():
                table = tables[table_name]
                for chunk in chunked(ids):
                    connection.execute(update(table).where(table.c.id.in_(chunk)).values({column: record.id}))
        return record


def chunked(items: list, size: int = 5000) -> list[list]:
    """`items` in slices small enough for one statement's parameters (SQLite caps them)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def _dataclass_to_row(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record) if f.name != "id"}
