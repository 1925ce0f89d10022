"""Core edits inside Qt's undo stack: each `Edit` becomes a QUndoCommand whose redo and undo
run the edit's apply and revert as one transaction, so Ctrl+Z, the History view and scripts
all share one mechanism. Views refresh from `edit_done`, with what the edit touched."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from core.edits import Edit, apply_edit, revert_edit
from core.project import Project, ProjectError


class EditCommand(QUndoCommand):
    def __init__(self, project: Project, edit: Edit, notify: Callable[[Edit], None]) -> None:
        super().__init__(edit.text)
        self.project, self.edit, self._notify = project, edit, notify
        self._applied = True  # pushed after a successful apply: the stack's first redo is a no-op

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        apply_edit(self.project, self.edit)
        self._notify(self.edit)

    def undo(self) -> None:
        revert_edit(self.project, self.edit)
        self._notify(self.edit)

    def id(self) -> int:  # Qt offers consecutive commands with the same id >= 0 for merging
        return 1

    def mergeWith(self, other: QUndoCommand) -> bool:
        return isinstance(other, EditCommand) and self.edit.merge(other.edit)


class UndoController(QObject):
    """Pushes edits; says when the project changed so views can redraw what was touched."""

    edit_done = Signal(object)  # the Edit just applied or reverted

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.stack = QUndoStack(self)

    def push(self, edit: Edit) -> Edit:
        """Apply and record an edit. If applying fails nothing is recorded and the error rises."""
        apply_edit(self.project, edit)
        self.stack.push(EditCommand(self.project, edit, self.edit_done.emit))
        self.edit_done.emit(edit)
        return edit

    def try_push(self, edit: Edit, refused: Callable[[str], None]) -> bool:
        """`push`, but a refused edit (the store or the edit said no) is reported to `refused`
        with its reason instead of raising: what every panel wants from a click."""
        try:
            self.push(edit)
        except (ProjectError, ValueError) as error:
            refused(str(error))
            return False
        return True
