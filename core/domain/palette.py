"""The one palette for tracks, label classes and anything else told apart by colour.

Sasha Trubetskoy's 16 distinct colours, in the order projects have always been given them
(the interchange importer's order): changing the order would recolour new tracks of existing
projects next to their old ones. The GUI and core both read it from here."""

from __future__ import annotations

from collections.abc import Iterable

TRACK_COLOURS: tuple[str, ...] = (
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
    "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#800000", "#aaffc3", "#000075",
)  # fmt: skip


def colour_for(index: int) -> str:
    """The `index`-th colour, wrapping round after the last."""
    return TRACK_COLOURS[index % len(TRACK_COLOURS)]


def unused_colour(used: Iterable[str]) -> str:
    """The first colour not in `used`; when all are taken, the one after as many as are used."""
    taken = {colour.lower() for colour in used}
    return next((c for c in TRACK_COLOURS if c not in taken), colour_for(len(taken)))
