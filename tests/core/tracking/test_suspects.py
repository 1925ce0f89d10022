"""Suspected identity problems: an injected swap, a crossing, low scores, a break."""

from __future__ import annotations

import numpy as np
from conftest import detection

from core.domain import Track
from core.tracking import find_suspects, next_suspect, previous_suspect
from core.tracking.suspects import suspects_in


def _series(paths):
    return {t: {f: detection(*xy) for f, xy in frames.items()} for t, frames in paths.items()}


def test_an_injected_swap_between_far_animals_is_a_jump_on_both_tracks():
    a = {f: (100 + 2 * f, 100) for f in range(40)}
    b = {f: (100 + 2 * f, 200) for f in range(40)}
    swapped_a = {f: a[f] if f < 25 else b[f] for f in range(40)}
    swapped_b = {f: b[f] if f < 25 else a[f] for f in range(40)}
    found = suspects_in(_series({1: swapped_a, 2: swapped_b}))
    jumps = [s for s in found if s.kind == "jump"]
    assert {s.frame for s in jumps} == {25} and {s.track_ids for s in jumps} == {(1,), (2,)}
    assert suspects_in(_series({1: a, 2: b})) == []


def test_a_crossing_is_reported_where_the_tracks_separate():
    a = {f: (100 + 4 * f, 100 + 4 * f) for f in range(41)}
    b = {f: (100 + 4 * f, 260 - 4 * f) for f in range(41)}
    found = [s for s in suspects_in(_series({1: a, 2: b})) if s.kind == "crossing"]
    assert len(found) == 1 and found[0].track_ids == (1, 2) and 20 < found[0].frame < 30


def test_a_break_and_a_gap():
    a = {f: (100 + f, 100) for f in range(20)}
    b = {f: (100 + f, 100) for f in range(25, 50)}
    c = {**{f: (300, 300) for f in range(10)}, **{f: (300, 500) for f in range(30, 40)}}
    found = suspects_in(_series({1: a, 2: b, 3: c}))
    assert any(s.kind == "break" and s.frame == 25 and s.track_ids == (1, 2) for s in found)
    assert any(s.kind == "gap" and s.frame == 30 and s.track_ids == (3,) for s in found)


def test_low_scores_are_one_suspect_per_run(project, video, add_paths):
    track = project.tracks.add(Track("A"))
    ids = add_paths({f: [(10.0 + f, 10.0, 0.0)] for f in range(30)}, source="predicted", track_ids=[track.id], score=0.9)
    for f in (10, 11, 12, 20):
        project.instances.update(ids[f][0], score=0.1)
    found = find_suspects(project, video.id)
    assert [(s.frame, s.kind) for s in found] == [(10, "low_score"), (20, "low_score")]
    assert next_suspect(found, 10).frame == 20 and next_suspect(found, 20) is None
    assert previous_suspect(found, 20).frame == 10
    assert next_suspect(found, 0, kinds=["jump"]) is None


def test_find_suspects_reads_the_store_and_finds_a_swap(project, video, add_paths):
    a, b = project.tracks.add(Track("A")), project.tracks.add(Track("B"))
    paths = {f: [(100.0 + 2 * f, 100.0, 0.0), (100.0 + 2 * f, 200.0, 0.0)] for f in range(40)}
    ids = add_paths(paths, track_ids=[a.id, b.id])
    for f in range(25, 40):  # the injected swap
        project.instances.set_track([ids[f][0]], b.id)
        project.instances.set_track([ids[f][1]], a.id)
    found = find_suspects(project, video.id)
    assert found and all(s.frame == 25 and s.kind == "jump" for s in found)
    assert np.isfinite([s.score for s in found]).all()
