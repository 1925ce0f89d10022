"""Errors a task raises before training starts, shared by every task (pose, detect, segment...).

The CLI and the GUI catch `TrainingDataError` and show its message as it is: it says what is
wrong with the project's labels and what to do about it, and nothing has been written.
"""

from __future__ import annotations


class TrainingDataError(ValueError):
    """The project's labels cannot train this task: none, too few, or of another kind."""
