"""The errors interchange raises, typed so the GUI can catch them and show one clear message.

They derive from `ValueError` (bad input, not a bug), so the CLI's entry point already turns
them into one line on stderr instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path


class InterchangeError(ValueError):
    """Anything that stops an import or an export; the project is left as it was."""


class FormatNotRecognisedError(InterchangeError):
    """The file or folder is in none of the formats Ethoframe reads (or not the one asked for)."""


class MissingDependencyError(InterchangeError):
    """A format needs an optional library that is not installed."""


class MalformedFileError(InterchangeError):
    """A file of a known format holds something wrong. The message names the file, the line or
    record, and what is wrong: `labels/img3.txt, line 2: expected 5 numbers, found 3`."""

    def __init__(self, path: str | Path, what: str, record: str | None = None) -> None:
        self.path = Path(path)
        self.record = record
        self.what = what = " ".join(what.split())  # one line, whatever a library's message held
        where = f"{self.path}, {record}" if record else str(self.path)
        super().__init__(f"{where}: {what}")
