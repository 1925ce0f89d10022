"""Core edits inside Qt's undo stack: each `Edit` becomes a QUndoCommand whose redo and undo
run the edit's apply and revert as one transaction, so Ctrl+Z, the History view and scripts
all share one mechanism. Views refresh from `edit_done`, with what the edit touched.

A failed undo or redo moves nothing. QUndoStack moves its index whatever a command's undo()
does (a Python exception there is printed and forgotten), so the stack runs the edit itself
first and moves the index only once the edit succeeded, with the commands silenced while it
moves. The History view moves the stack from C++ (`setIndex`), past this: there a command
that fails silences the rest of the move, and the index is put back where the failure left
the project, on the next turn of the event loop. Either way `refused` says why.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from core.edits import Edit, apply_edit, revert_edit
from core.edits.external import ExternalChange
from core.project import ConflictError, Project, ProjectError
from core.project.write_wait import wait_for_write


class EditCommand(QUndoCommand):
    def __init__(self, stack: EditStack, edit: Edit) -> None:
        super().__init__(edit.text)
        self.stack, self.edit = stack, edit

    def redo(self) -> None:
        self.stack.run(self, "redo")

    def undo(self) -> None:
        self.stack.run(self, "undo")

    def id(self) -> int:  # Qt offers consecutive commands with the same id >= 0 for merging
        return 1

    def mergeWith(self, other: QUndoCommand) -> bool:
        return isinstance(other, EditCommand) and self.edit.merge(other.edit)


class EditStack(QUndoStack):
    """A QUndoStack whose index moves only past edits that were really undone or redone."""

    refused = Signal(str)  # why an undo or redo was not made
    edit_done = Signal(object)  # the Edit just undone or redone

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self._silent = False  # commands do nothing: the edit was run already, or the move is off
        self._failed_at: int | None = None  # index to restore after a failed move from C++

    def push_applied(self, edit: Edit) -> None:
        """Record an edit that was just applied (QUndoStack.push would redo it again)."""
        self._move(lambda: self.push(EditCommand(self, edit)))

    def undo(self) -> None:
        if self.canUndo():
            self._step(self.index() - 1, "undo")

    def redo(self) -> None:
        if self.canRedo():
            self._step(self.index(), "redo")

    def setIndex(self, index: int) -> None:  # noqa: N802 (Qt's name); Python callers step one by one
        index = max(0, min(index, self.count()))
        while self.index() > index and self._step(self.index() - 1, "undo"):
            pass
        while self.index() < index and self._step(self.index(), "redo"):
            pass

    def run(self, command: EditCommand, action: str) -> None:
        """A command's undo or redo, when Qt itself calls it (the History view)."""
        if self._silent:
            return
        if self._execute(command.edit, action):
            return
        position = next(i for i in range(self.count()) if self.command(i) is command)
        # the failed command stays where it was: done after a failed undo, undone after a failed redo
        self._failed_at = position + 1 if action == "undo" else position
        self._silent = True  # the rest of this move must not run either
        QTimer.singleShot(0, self._restore_after_failure)

    # --- moving ------------------------------------------------------------------------------

    def _step(self, position: int, action: str) -> bool:
        command = self.command(position)
        if not isinstance(command, EditCommand):  # a plain QUndoCommand: let Qt run it
            (super().undo if action == "undo" else super().redo)()
            return True
        if not self._execute(command.edit, action):
            return False
        self._move(super().undo if action == "undo" else super().redo)
        return True

    def _execute(self, edit: Edit, action: str) -> bool:
        try:
            wait_for_write(self.project)  # never freeze on another process's long write
            (revert_edit if action == "undo" else apply_edit)(self.project, edit)
        except Exception as error:  # noqa: BLE001 (whatever failed, the stack must not move)
            self.refused.emit(f"Could not {action} “{edit.text}”: {_reason(error)}. Nothing was changed.")
            if isinstance(error, ConflictError):  # another labeller's write: show it
                self.edit_done.emit(ExternalChange.reload())
            return False
        self.edit_done.emit(edit)
        return True

    def _move(self, move: Callable[[], None]) -> None:
        silent, self._silent = self._silent, True
        try:
            move()
        finally:
            self._silent = silent

    def _restore_after_failure(self) -> None:
        index, self._failed_at = self._failed_at, None
        self._silent = False
        if index is not None and index != self.index():
            self._move(lambda: QUndoStack.setIndex(self, index))


def _reason(error: Exception) -> str:
    """The refusal in words: the store's own sentence, or the database's first line (no SQL)."""
    if isinstance(error, ProjectError | ValueError):
        return str(error)
    original = getattr(error, "orig", None)  # SQLAlchemy wraps the driver's error, with the statement
    text = str(original if original is not None else error).splitlines()[0] if str(error) else ""
    return f"{type(original or error).__name__}: {text}"


class UndoController(QObject):
    """Pushes edits; says when the project changed so views can redraw what was touched, and
    when an undo or redo was refused (`refused`, one sentence) so the window can say so.

    `external_change` carries what other clients committed (an `ExternalChange`, from
    gui/team_sync.py); it is forwarded to `edit_done`, whose listeners only read `touched()`,
    so every view refreshes from another labeller's edit as from its own."""

    edit_done = Signal(object)  # the Edit just applied or reverted, or an ExternalChange
    refused = Signal(str)
    external_change = Signal(object)  # ExternalChange: another client's commit

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.stack = EditStack(project, self)
        self.stack.edit_done.connect(self.edit_done.emit)
        self.stack.refused.connect(self.refused.emit)
        self.external_change.connect(self.edit_done.emit)

    def push(self, edit: Edit) -> Edit:
        """Apply and record an edit. If applying fails nothing is recorded and the error rises
        (ProjectBusyError at once when another process has been writing for a while)."""
        wait_for_write(self.project)
        apply_edit(self.project, edit)
        self.stack.push_applied(edit)
        self.edit_done.emit(edit)
        return edit

    def try_push(self, edit: Edit, refused: Callable[[str], None]) -> bool:
        """`push`, but a refused edit (the store or the edit said no) is reported to `refused`
        with its reason instead of raising: what every panel wants from a click."""
        try:
            self.push(edit)
        except (ProjectError, ValueError) as error:
            refused(str(error))
            if isinstance(error, ConflictError):  # "changed by ana 3 s ago: reloaded": so reload
                self.external_change.emit(ExternalChange.reload())
            return False
        return True

    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()
