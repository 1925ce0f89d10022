"""Identity metrics on hand-made cases."""

from __future__ import annotations

from conftest import detection

from core.tracking import identity_metrics


def _clip(ids_per_frame):
    """{frame: [(id, detection)]} with animal k at y = 100 * k."""
    return {f: [(t, detection(0, 100 * k)) for k, t in enumerate(ids)] for f, ids in ids_per_frame.items()}


def test_a_perfect_tracking_under_other_names():
    truth = _clip({f: [1, 2] for f in range(10)})
    tracked = _clip({f: [7, 9] for f in range(10)})
    m = identity_metrics(truth, tracked)
    assert (m.id_switches, m.fraction_frames_correct, m.fraction_instances_correct) == (0, 1.0, 1.0)
    assert m.mapping == {7: 1, 9: 2}


def test_one_swap_is_two_switches_and_counts_the_wrong_frames():
    truth = _clip({f: [1, 2] for f in range(10)})
    tracked = _clip({f: [7, 9] if f < 7 else [9, 7] for f in range(10)})
    m = identity_metrics(truth, tracked)
    assert m.id_switches == 2 and {s[0] for s in m.switches} == {7}
    assert m.frames_correct == 7 and m.fraction_instances_correct == 0.7


def test_misses_are_neither_correct_nor_switches():
    truth = _clip({f: [1, 2] for f in range(4)})
    tracked = _clip({0: [5, 6], 1: [5, None], 2: [5], 3: [5, 6]})
    m = identity_metrics(truth, tracked)
    assert (m.id_switches, m.instances, m.instances_missed, m.instances_correct, m.frames_correct) == (0, 8, 2, 6, 2)


def test_matching_is_by_position_not_by_order_and_respects_the_distance_limit():
    truth = {0: [(1, detection(0, 0)), (2, detection(0, 100))], 1: [(1, detection(0, 0)), (2, detection(0, 100))]}
    tracked = {0: [(9, detection(0, 101)), (8, detection(0, 1))], 1: [(8, detection(0, 0)), (9, detection(0, 300))]}
    m = identity_metrics(truth, tracked, max_distance=20)
    assert m.instances_missed == 1 and m.id_switches == 0 and m.mapping == {8: 1, 9: 2}
