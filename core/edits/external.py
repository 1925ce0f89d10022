"""What another client committed, in the words views already understand: an `ExternalChange`
carries `Touched` records like an edit does, so a window refreshes exactly what another
labeller (or a local predict job) changed, through the same targeted refresh as its own edits.
It is never undone: it is not an edit of this window's history."""

from __future__ import annotations

from dataclasses import dataclass

from core.edits.base import Touched
from core.project.changes import Change


@dataclass(frozen=True)
class ExternalChange:
    changes: tuple[Change, ...]

    @property
    def text(self) -> str:
        who = ", ".join(self.by) or "another window"
        return f"changed by {who}"

    @property
    def by(self) -> tuple[str, ...]:
        return tuple(sorted({c.by for c in self.changes if c.by}))

    def touched(self) -> tuple[Touched, ...]:
        return tuple(dict.fromkeys(
            Touched(c.topic, c.video_id, c.frame_index, c.instance_ids, c.track_ids, c.predicted) for c in self.changes
        ))  # fmt: skip

    @classmethod
    def reload(cls) -> ExternalChange:
        """Everything may have changed (a refused write, a reconnection): views re-read."""
        return cls((Change("catalog"), Change("instances"), Change("events")))
