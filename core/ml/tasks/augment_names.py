"""The names of augmentation options, spelt alike by every task (`rotation`; `rotate`, the
detector's old name, is still read as it)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

ALIASES = {"rotate": "rotation"}


def checked_augment_options(given: dict[str, Any], options_class: type) -> dict[str, Any]:
    """`given` with old names read as the new ones, ready for `options_class(**...)`; an option
    given under both names, or one `options_class` does not have, raises ValueError naming it."""
    both = [new for old, new in ALIASES.items() if old in given and new in given]
    if both:
        raise ValueError(f"augmentation option {both[0]} given under both names: give {both[0]} only")
    renamed = {ALIASES.get(k, k): v for k, v in given.items()}
    known = {f.name for f in fields(options_class)}
    unknown = sorted(set(renamed) - known)
    if unknown:
        raise ValueError(f"unknown augmentation option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return renamed
