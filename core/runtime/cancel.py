"""Cancelling and progress for long work, whatever its room (video proxies, thumbnails, frame
suggestions, tracking, the demo's render, behaviour features).

Long work in core is a plain function that takes a progress callback and a cancel token
(STYLE.md, "Long work"); the GUI runs it on a worker and turns the callbacks into signals.
A `threading.Event` is a valid cancel token. Work that stops on its token raises `Cancelled`,
the one exception a caller catches to tell "the user asked to stop" from a failure.

    def work(progress: ProgressCallback | None = None, cancel: CancelToken | None = None):
        for i in range(n):
            check_cancel(cancel, "work")
            ...
            report(progress, i + 1, n)

(Training stops on the same kind of token but does not raise: it writes its last checkpoint
and reports `stopped: "cancelled"`.)
"""

from __future__ import annotations

from typing import Callable, Protocol

# progress(done, total): called from the worker thread, so GUI code must marshal it.
ProgressCallback = Callable[[int, int], None]


class CancelToken(Protocol):
    """Anything with `is_set()`, such as `threading.Event`."""

    def is_set(self) -> bool: ...


class Cancelled(Exception):
    """Long work stopped because its cancel token was set; it leaves nothing half-written.

    Not an error of the data: nothing is wrong with the video or the project, the user asked
    to stop."""


def is_cancelled(cancel: CancelToken | None) -> bool:
    return cancel is not None and cancel.is_set()


def check_cancel(cancel: CancelToken | None, what: str) -> None:
    """Raise `Cancelled` if the token is set; `what` says which work stopped."""
    if is_cancelled(cancel):
        raise Cancelled(f"{what}: cancelled")


def report(progress: ProgressCallback | None, done: int, total: int) -> None:
    """Call `progress(done, total)` if there is one."""
    if progress is not None:
        progress(done, total)
