"""A label class (category): what kind of thing an instance is, with the colour it is drawn in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelClass:
    name: str
    color: str = "#e6194b"
    id: int | None = None
