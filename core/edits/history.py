"""The undo/redo stack of core, for scripts and tests (the GUI wraps edits in a QUndoStack).

A drag is many small edits; `with history.group("Move node"):` applies each as it comes (so
the view follows the mouse) and keeps them as one undo step, as napari's history atoms do.
Listeners hear every do, undo and redo with the edit, to refresh what it touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

from core.edits.base import CompositeEdit, Edit, apply_edit, revert_edit
from core.project import Project

Action = Literal["do", "undo", "redo"]
Listener = Callable[[Edit, Action], None]


class EditHistory:
    def __init__(self, project: Project, limit: int = 1000) -> None:
        self.project = project
        self.limit = limit
        self._done: list[Edit] = []
        self._undone: list[Edit] = []
        self._group: CompositeEdit | None = None
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def push(self, edit: Edit) -> Edit:
        """Apply `edit` and record it; if it fails nothing changes and nothing is recorded."""
        apply_edit(self.project, edit)
        if self._group is not None:
            if not (self._group.edits and self._group.edits[-1].merge(edit)):
                self._group.edits.append(edit)
        elif not (self._done and not self._undone and self._done[-1].merge(edit)):
            self._done.append(edit)
            del self._done[: -self.limit]
        self._undone.clear()
        self._notify(edit, "do")
        return edit

    @contextmanager
    def group(self, text: str) -> Iterator[None]:
        """Edits pushed inside become one undo step named `text`."""
        if self._group is not None:  # nested groups join the outer one
            yield
            return
        self._group = CompositeEdit(text)
        try:
            yield
        finally:
            group, self._group = self._group, None
            if len(group.edits) == 1:
                group.edits[0].text = text
                self._done.append(group.edits[0])
            elif group.edits:
                self._done.append(group)

    def undo(self) -> Edit | None:
        if not self._done:
            return None
        edit = self._done[-1]
        revert_edit(self.project, edit)  # if this raises, the stacks stay as they were
        self._undone.append(self._done.pop())
        self._notify(edit, "undo")
        return edit

    def redo(self) -> Edit | None:
        if not self._undone:
            return None
        edit = self._undone[-1]
        apply_edit(self.project, edit)
        self._done.append(self._undone.pop())
        self._notify(edit, "redo")
        return edit

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    def texts(self) -> tuple[list[str], list[str]]:
        """The names of the done steps (oldest first) and the undone ones (next redo first)."""
        return [e.text for e in self._done], [e.text for e in reversed(self._undone)]

    def _notify(self, edit: Edit, action: Action) -> None:
        for listener in self._listeners:
            listener(edit, action)
