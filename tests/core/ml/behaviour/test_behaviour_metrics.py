"""Frame- and event-level precision, recall and F1, macro F1 and the confusion matrix on
hand-made masks."""

from __future__ import annotations

import numpy as np
import pytest

from core.ml.tasks.behaviour.metrics import (
    confusion_matrix,
    event_scores,
    frame_scores,
    labels_of,
    macro_f1,
)


def _mask(n: int, *spans: tuple[int, int]) -> np.ndarray:
    m = np.zeros(n, bool)
    for a, b in spans:
        m[a : b + 1] = True
    return m


def test_frame_scores_count_frames():
    truth = np.stack([_mask(10, (0, 4)), _mask(10, (5, 9))], 1)
    found = np.stack([_mask(10, (0, 2)), _mask(10, (3, 9))], 1)
    walk, rest = frame_scores(truth, found)
    assert walk["precision"] == 1.0 and walk["recall"] == pytest.approx(0.6) and walk["f1"] == pytest.approx(0.75)
    assert rest["precision"] == pytest.approx(5 / 7) and rest["recall"] == 1.0
    only_first = frame_scores(truth, found, valid=_mask(10, (0, 4)))
    assert only_first[1]["support"] == 0 and only_first[1]["predicted"] == 2


def test_an_event_is_found_when_half_of_it_is_covered():
    truth = _mask(40, (0, 9), (20, 29))[:, None]
    found = _mask(40, (5, 9), (27, 29), (35, 38))[:, None]  # half of the first, 3/10 of the second, one false
    (score,) = event_scores(truth, found)
    assert score["recall"] == 0.5 and score["support"] == 2
    assert score["precision"] == pytest.approx(2 / 3) and score["predicted"] == 3


def test_invalid_frames_cut_bouts_and_are_ignored():
    truth = _mask(10, (0, 9))[:, None]
    valid = ~_mask(10, (5, 5))
    (score,) = event_scores(truth, truth, valid)
    assert score["support"] == 2 and score["f1"] == 1.0


def test_macro_f1_ignores_behaviours_absent_from_truth_and_predictions():
    scores = [{"f1": 1.0, "support": 3, "predicted": 3}, {"f1": 0.0, "support": 2, "predicted": 0},
              {"f1": 0.0, "support": 0, "predicted": 0}]  # fmt: skip
    assert macro_f1(scores) == 0.5
    assert macro_f1([]) is None


def test_confusion_matrix_rows_are_truth_with_none_last():
    truth = np.array([0, 0, 1, 1, -1])
    found = np.array([0, 1, 1, -1, -1])
    matrix = confusion_matrix(truth, found, 2)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert labels_of(np.array([[1, 0], [0, 0], [0, 1]], bool)).tolist() == [0, -1, 1]
