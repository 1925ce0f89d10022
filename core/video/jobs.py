"""Progress and cancellation plumbing for long video work (proxies, thumbnails).

Long work in core is a plain function that takes a progress callback and a cancel token
(STYLE.md, "Long work"); the GUI runs it on a worker and turns the callbacks into signals.
A `threading.Event` is a valid cancel token.
"""

from __future__ import annotations

from typing import Callable, Protocol

from .errors import Cancelled

# progress(done, total): called from the worker thread, so GUI code must marshal it.
ProgressCallback = Callable[[int, int], None]


class CancelToken(Protocol):
    """Anything with `is_set()`, such as `threading.Event`."""

    def is_set(self) -> bool: ...


def check_cancel(cancel: CancelToken | None, what: str) -> None:
    """Raise `Cancelled` if the token is set; `what` says which work stopped."""
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"{what}: cancelled")


def report(progress: ProgressCallback | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
