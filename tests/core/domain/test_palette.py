"""The one palette: the colours projects have always been given, in their order, wrapping
round; a new (split) track takes the first colour no track has yet."""

from __future__ import annotations

from core.domain.palette import TRACK_COLOURS, colour_for, unused_colour


def test_the_order_projects_were_given_is_kept():
    # The importer's palette before there was one module: changing it recolours new tracks.
    assert TRACK_COLOURS[:4] == ("#e6194b", "#3cb44b", "#ffe119", "#4363d8") and len(TRACK_COLOURS) == 16
    assert len(set(TRACK_COLOURS)) == 16


def test_colours_wrap_round_and_unused_ones_come_first():
    assert colour_for(0) == colour_for(16) == "#e6194b"
    assert unused_colour(["#E6194B", "#ffe119"]) == "#3cb44b"  # case does not make a colour new
    assert unused_colour(TRACK_COLOURS) == colour_for(16)

