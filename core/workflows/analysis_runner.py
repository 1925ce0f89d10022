"""Whole-video analyses in a helper process: the GUI hands a function and a project folder to a
process pool, and this runs it there on the project, opened once per process.

Why a process: an analysis of a long video (suspects over 100,000 predictions, a review order)
is a second of Python; on a thread it competes with the GUI thread for Python's interpreter lock
and every drag step slows by milliseconds while it runs. In a process it runs alongside on
another core, reading the same SQLite file (WAL: readers never block the window's writes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.project import Project

_opened: dict[str, Project] = {}


def run_on_project(folder: str, function: Callable[..., Any], args: tuple) -> Any:
    """`function(project, *args)` on the project in `folder` (or at a shared project's URL),
    kept open for the next request."""
    from core.project.location import is_url, open_project

    key = folder if is_url(folder) else str(Path(folder).resolve())
    project = _opened.get(key)
    if project is None:
        project = _opened[key] = open_project(key)
    return function(project, *args)
