"""A text progress bar for long commands: redrawn in place on a terminal, one line per 10%
when stderr is a file or a pipe (CI logs stay short)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class TextProgress:
    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self._tty = self.stream.isatty()
        self._last_decile = -1
        self._started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        if self._tty:
            bar = "#" * int(fraction * 30)
            elapsed = time.monotonic() - self._started
            self.stream.write(f"\r{self.label} [{bar:<30}] {done}/{total} {elapsed:5.1f}s")
            self.stream.flush()
        elif int(fraction * 10) > self._last_decile:
            self._last_decile = int(fraction * 10)
            self.stream.write(f"{self.label}: {int(fraction * 100)}% ({done}/{total})\n")

    def __enter__(self) -> TextProgress:
        return self

    def __exit__(self, *_exc) -> None:
        if self._tty:
            self.stream.write("\n")
