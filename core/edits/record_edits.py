"""Edits of the catalog: label classes, skeletons, tracks and ethogram behaviours.

Deleting one puts back, on undo, everything the delete touched: instances keep their class or
track again, and a behaviour's events come back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from core.edits.base import Edit, Touched
from core.project import Project, Removal

Catalog = Literal["label_classes", "skeletons", "tracks", "behaviours"]


@dataclass
class AddRecord(Edit):
    table: Catalog
    record: Any
    text: str = "Add"

    def apply(self, project: Project) -> None:
        self.record = getattr(project, self.table).add(self.record)

    def revert(self, project: Project) -> None:
        getattr(project, self.table).delete(self.record.id)

    def touched(self) -> tuple[Touched, ...]:
        return (Touched("catalog"),)


@dataclass
class DeleteRecord(Edit):
    table: Catalog
    record_id: int
    text: str = "Delete"
    _removal: Removal | None = field(default=None, repr=False)

    def apply(self, project: Project) -> None:
        self._removal = getattr(project, self.table).delete(self.record_id)

    def revert(self, project: Project) -> None:
        getattr(project, self.table).restore(self._removal)

    def touched(self) -> tuple[Touched, ...]:
        return (Touched("catalog"), Touched("instances"), Touched("events"))


@dataclass
class ChangeRecord(Edit):
    table: Catalog
    record_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    text: str = "Change"

    def apply(self, project: Project) -> None:
        getattr(project, self.table).update(self.record_id, **self.after)

    def revert(self, project: Project) -> None:
        getattr(project, self.table).update(self.record_id, **self.before)

    def touched(self) -> tuple[Touched, ...]:
        return (Touched("catalog"),)


def change_record(project: Project, table: Catalog, record_id: int, **after: Any) -> ChangeRecord:
    """Rename, recolour, rebind a key...: `after` are the new values of the record's fields."""
    record = getattr(project, table).get(record_id)
    before = {name: getattr(record, name) for name in after}
    return ChangeRecord(table, record_id, before, after, f"Change {getattr(record, 'name', table)}")
