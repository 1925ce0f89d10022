"""A track: one identity (an individual animal) followed across frames."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Track:
    name: str
    color: str = "#3cb44b"
    id: int | None = None
