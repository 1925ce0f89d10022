"""Who made a label or event and when, who changed it last, and its version: what team
labelling on a shared project shows and checks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stamp:
    """`version` is 1 when the record is made and one more at each change; a write from a view
    that read another version is refused. Times are seconds since 1970 by the database's clock;
    users and times are None for records made before Ethoframe kept them (schema 4)."""

    version: int = 1
    created_by: str | None = None
    created_at: float | None = None
    changed_by: str | None = None
    changed_at: float | None = None

    @property
    def last_by(self) -> str | None:
        return self.changed_by or self.created_by

    @property
    def last_at(self) -> float | None:
        return self.changed_at if self.changed_at is not None else self.created_at

    def describe(self, now: float) -> str:
        """'made by ana 5 min ago, changed by ben 3 s ago' (the instance panel's line)."""
        parts = []
        if self.created_by or self.created_at is not None:
            parts.append(f"made by {self.created_by or 'someone'}" + (f" {ago(now, self.created_at)}" if self.created_at else ""))
        if self.changed_by or self.changed_at is not None:
            parts.append(f"changed by {self.changed_by or 'someone'}" + (f" {ago(now, self.changed_at)}" if self.changed_at else ""))
        return ", ".join(parts) or "made before Ethoframe recorded who"


def ago(now: float, then: float) -> str:
    """'3 s ago', '5 min ago', '2 h ago', '4 days ago'."""
    seconds = max(0.0, now - then)
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"
