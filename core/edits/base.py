"""What an edit is: one user change with `apply` and `revert`, each run as one transaction.

Edits are built by small "ask" functions that read the current state (e.g. `move_keypoint`),
and carry everything they need to redo and undo without asking again. The GUI wraps them in a
QUndoStack; scripts and tests use `EditHistory`. Either way they run through `apply_edit` and
`revert_edit`, so a failure rolls the whole change back and leaves the project as it was.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from core.project import Project


@dataclass(frozen=True)
class Touched:
    """What an edit changed, so each view refreshes only what concerns it (SLEAP's
    `UpdateTopic`): a frame's instances, a video's events, or the catalog (classes, tracks,
    skeletons, behaviours). `video_id` / `frame_index` None mean "any": a view that cannot tell
    re-reads that video (or everything). For instances, also which ones (`instance_ids`), which
    tracks gained or lost members (`track_ids`: the track lanes and suspects), and whether
    predictions were among them (`predicted`: the review queue)."""

    topic: str  # "instances" | "events" | "catalog"
    video_id: int | None = None
    frame_index: int | None = None
    instance_ids: tuple[int, ...] = ()
    track_ids: tuple[int, ...] = ()
    predicted: bool = False

    def concerns(self, video_id: int | None, frame_index: int | None = None) -> bool:
        """Whether this may change what is shown of `video_id` (at `frame_index`, when given)."""
        if self.video_id is not None and self.video_id != video_id:
            return False
        return frame_index is None or self.frame_index is None or self.frame_index == frame_index


class Edit(ABC):
    """One undoable change."""

    text: str = "Edit"

    @abstractmethod
    def apply(self, project: Project) -> None: ...

    @abstractmethod
    def revert(self, project: Project) -> None: ...

    def touched(self) -> tuple[Touched, ...]:
        return ()

    def merge(self, later: Edit) -> bool:
        """Absorb `later` into this edit when both are one gesture (a drag of the same node);
        returns whether it did."""
        return False


@dataclass
class CompositeEdit(Edit):
    """Several edits as one undo step, applied in order and reverted in reverse."""

    text: str
    edits: list[Edit] = field(default_factory=list)

    def apply(self, project: Project) -> None:
        for edit in self.edits:
            edit.apply(project)

    def revert(self, project: Project) -> None:
        for edit in reversed(self.edits):
            edit.revert(project)

    def touched(self) -> tuple[Touched, ...]:
        return tuple(dict.fromkeys(t for edit in self.edits for t in edit.touched()))


def apply_edit(project: Project, edit: Edit) -> None:
    """Apply `edit` in one transaction: all of it is committed, or none of it."""
    with project.transaction():
        edit.apply(project)


def revert_edit(project: Project, edit: Edit) -> None:
    with project.transaction():
        edit.revert(project)
