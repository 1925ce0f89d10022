"""Probabilities to bouts on hand-made arrays: thresholds, minimum durations, exclusive
smoothing, gap bridging and point behaviours."""

from __future__ import annotations

import numpy as np
import pytest

from core.ml.tasks.behaviour.postprocess import (
    NONE,
    absorb_short_runs,
    bouts_to_mask,
    clean_mask,
    exclusive_labels,
    runs,
    to_bouts,
)


def test_runs_encode_a_series():
    values, starts, lengths = runs(np.array([1, 1, 0, 0, 0, 2]))
    assert values.tolist() == [1, 0, 2] and starts.tolist() == [0, 2, 5] and lengths.tolist() == [2, 3, 1]
    assert [len(a) for a in runs(np.array([]))] == [0, 0, 0]


def test_exclusive_labels_take_the_argmax_including_none_and_respect_thresholds():
    p = np.array([[0.7, 0.2], [0.2, 0.3], [0.45, 0.5], [0.1, 0.1]])
    assert exclusive_labels(p).tolist() == [0, NONE, 1, NONE]  # row 1: none = 0.5 wins
    assert exclusive_labels(p, [0.8, 0.0]).tolist() == [NONE, NONE, 1, NONE]


def test_short_runs_are_absorbed_by_their_longer_neighbour():
    labels = np.array([0] * 10 + [1] * 2 + [0] * 10 + [NONE] * 3 + [1] * 8)
    out = absorb_short_runs(labels, np.array([1, 5]))
    assert out[:22].tolist() == [0] * 22  # the 2-frame 1 inside 0s became 0
    assert out[22:25].tolist() == [NONE] * 3  # "none" is never too short
    assert out[25:].tolist() == [1] * 8


def test_absorbing_merges_chains_of_short_runs():
    flicker = np.array([0, 1, 0, 1, 0, 0, 0])
    out = absorb_short_runs(flicker, np.array([2, 2]))
    assert out[-3:].tolist() == [0, 0, 0] and runs(out)[2].min() >= 2  # every run now long enough
    assert absorb_short_runs(np.array([0] * 5 + [1] + [0] * 5), np.array([3, 3])).tolist() == [0] * 11
    assert absorb_short_runs(np.array([1, 1]), np.array([5, 5])).tolist() == [1, 1]  # nothing to merge with


def test_clean_mask_bridges_gaps_then_drops_short_runs():
    mask = np.array([1, 1, 0, 1, 1, 0, 0, 0, 1, 0], bool)
    assert clean_mask(mask, min_duration=1, max_gap=1).tolist() == [1, 1, 1, 1, 1, 0, 0, 0, 1, 0]
    assert clean_mask(mask, min_duration=3, max_gap=1).tolist() == [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    assert clean_mask(mask, min_duration=3).tolist() == [0] * 10


def test_independent_bouts_with_per_behaviour_thresholds_and_durations():
    p = np.zeros((20, 2), np.float32)
    p[2:8, 0] = 0.9
    p[5:7, 1] = 0.6
    p[10:18, 1] = 0.4
    bouts = to_bouts(p, thresholds=[0.5, 0.3], min_duration=[3, 3])
    assert [(b.behaviour, b.start, b.end) for b in bouts] == [(0, 2, 7), (1, 10, 17)]
    assert bouts[0].score == pytest.approx(0.9)
    assert to_bouts(p, thresholds=0.5, min_duration=1)[1].length == 2
    mask = bouts_to_mask(bouts, 20, 2)
    assert mask[:, 0].sum() == 6 and mask[:, 1].sum() == 8


def test_point_behaviours_become_single_frames_at_their_peak():
    p = np.zeros((10, 1), np.float32)
    p[3:7, 0] = [0.6, 0.9, 0.7, 0.55]
    (bout,) = to_bouts(p, points=[True])
    assert (bout.start, bout.end) == (4, 4)


def test_exclusive_bouts_and_bad_shapes():
    p = np.array([[0.8, 0.1]] * 5 + [[0.1, 0.8]] * 5, np.float32)
    assert [(b.behaviour, b.start, b.end) for b in to_bouts(p, exclusive=True)] == [(0, 0, 4), (1, 5, 9)]
    with pytest.raises(ValueError):
        to_bouts(np.zeros(5))
    with pytest.raises(ValueError):
        to_bouts(np.zeros((5, 2)), thresholds=[0.5, 0.5, 0.5])
