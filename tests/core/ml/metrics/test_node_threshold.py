"""The node threshold on small arrays: applying it unlabels low-scoring predicted nodes only,
and choosing it takes the best F1 of placed nodes over the candidates (ties: the lower)."""

from __future__ import annotations

import numpy as np
import pytest

from core.domain import Instance
from core.ml.metrics.keypoints import FrameKeypoints
from core.domain.node_threshold import apply_node_threshold, threshold_instance, threshold_predictions
from core.ml.metrics.node_threshold import choose_node_threshold, node_counts, share_placed


def pose(*xy, visibility=2.0) -> np.ndarray:
    return np.array([[x, y, visibility] for x, y in xy], np.float32)


def test_apply_unlabels_nodes_under_the_threshold_in_a_copy():
    keypoints = pose((1, 1), (2, 2), (3, 3))
    out = apply_node_threshold(keypoints, np.array([0.5, 0.04, 0.05]), 0.05)
    assert out[:, 2].tolist() == [2, 0, 2] and out[:, :2].tolist() == keypoints[:, :2].tolist()
    assert keypoints[:, 2].tolist() == [2, 2, 2]  # the input is untouched
    batch = apply_node_threshold(np.stack([keypoints, keypoints]), np.array([[0.0, 1, 1], [1, 1, 0.0]]), 0.5)
    assert batch[..., 2].tolist() == [[0, 2, 2], [2, 2, 0]]
    assert apply_node_threshold(keypoints, None, 0.9)[:, 2].tolist() == [2, 2, 2]  # user labels: no scores
    assert apply_node_threshold(keypoints, np.zeros(3), None)[:, 2].tolist() == [2, 2, 2]


def test_instances_take_their_own_models_threshold():
    scores = np.array([0.3, 0.02, 0.1], np.float32)
    predicted = Instance(1, 0, keypoints=pose((1, 1), (2, 2), (3, 3)), keypoint_scores=scores, source="predicted", model_id=7)
    other = predicted.with_changes(model_id=8)
    user = Instance(1, 0, keypoints=pose((1, 1), (2, 2), (3, 3)), model_id=7)
    assert threshold_instance(predicted, 0.05).keypoints[:, 2].tolist() == [2, 0, 2]
    assert threshold_instance(predicted, 0.01) is predicted  # nothing under it: the same instance
    a, b, c = threshold_predictions([predicted, other, user], {7: 0.2})
    assert a.keypoints[:, 2].tolist() == [2, 0, 0] and b is other and c is user
    assert share_placed([scores, np.array([0.5])], 0.1) == pytest.approx(3 / 4) and np.isnan(share_placed([], 0.1))


def frames():
    """Two frames: frame 0 has one animal, predicted right except its tail (30 px off, low
    score); frame 1 has an animal whose third node is unlabelled and a spurious prediction."""
    truth0 = pose((10, 10), (20, 10), (30, 10))[None]
    pred0 = pose((11, 10), (20, 12), (60, 10))[None]
    scores0 = np.array([[0.6, 0.08, 0.03]])
    truth1 = np.array([[[100, 100, 2], [110, 100, 2], [0, 0, 0]]], np.float32)
    pred1 = np.stack([pose((101, 100), (110, 101), (120, 100)), pose((300, 300), (310, 300), (320, 300))])
    scores1 = np.array([[0.5, 0.04, 0.3], [0.01, 0.02, 0.01]])
    return [FrameKeypoints(truth0, pred0), FrameKeypoints(truth1, pred1)], [scores0, scores1]


def test_counts_match_then_place_by_score():
    f, s = frames()
    at = {c.threshold: c for c in node_counts(f, s, (0.0, 0.05, 0.1))}
    # labelled true nodes: 3 + 2 = 5; correct at 0: snout, ear (frame 0) and both labelled nodes (frame 1)
    assert (at[0.0].placed, at[0.0].correct, at[0.0].labelled) == (9, 4, 5)
    # at 0.05: frame 0 keeps snout and ear (0.6, 0.08), frame 1 keeps 0.5 and the unlabelled node's 0.3
    assert (at[0.05].placed, at[0.05].correct) == (4, 3)
    assert (at[0.1].placed, at[0.1].correct) == (3, 2)
    assert at[0.05].precision == pytest.approx(0.75) and at[0.05].recall == pytest.approx(0.6)


def test_choose_takes_the_best_f1_and_the_lower_of_ties():
    f, s = frames()
    choice = choose_node_threshold(f, s)
    # F1 at 0: 4 of 9 placed are right, 4 of 5 found: 0.571; at 0.02: 4/7 and 4/5, at 0.05: 3/4 and 3/5,
    # both 2/3: a tie, and the lower threshold wins; at 0.1: 2/3 and 2/5, 0.5
    f1 = {c.threshold: c.f1 for c in choice.candidates}
    assert f1[0.0] == pytest.approx(8 / 14) and f1[0.02] == pytest.approx(2 / 3) == f1[0.05] and f1[0.1] == pytest.approx(0.5)
    assert choice.threshold == 0.02 and choice.best.f1 == pytest.approx(2 / 3)
    assert [c.threshold for c in choice.candidates][:4] == [0.0, 0.01, 0.02, 0.05]
    tie = choose_node_threshold(f, s, thresholds=(0.06, 0.05, 0.07))  # all three place the same nodes
    assert tie.threshold == 0.05
    truth = pose((10, 10))[None]
    perfect = choose_node_threshold([FrameKeypoints(truth, truth)], [np.array([[0.02]])])
    assert perfect.threshold == 0.0  # every candidate up to 0.02 is perfect: the lowest wins
    nothing = [FrameKeypoints(np.zeros((0, 3, 3)), pose((1, 1), (2, 2), (3, 3))[None])]
    assert choose_node_threshold(nothing, [np.ones((1, 3))]) is None


def test_a_prediction_with_no_true_animal_only_costs_precision():
    truth = pose((10, 10), (20, 10))[None]
    found = pose((10, 10), (20, 10))[None]
    far = pose((500, 500), (510, 500))[None]
    f = [FrameKeypoints(truth, np.concatenate([found, far]))]
    (at,) = node_counts(f, [np.array([[0.9, 0.9], [0.9, 0.9]])], (0.5,))
    assert (at.placed, at.correct, at.labelled) == (4, 2, 2) and at.recall == 1.0 and at.precision == 0.5


def test_a_threshold_must_pay_more_than_the_tolerance_to_hide_nodes():
    truth = np.stack([pose(*[(10 * n, 0) for n in range(50)])])
    placed = truth.copy()
    placed[0, 0, :2] = (500, 500)  # one node of 50 wrong, with a low score
    scores = np.full((1, 50), 0.9)
    scores[0, 0] = 0.05
    choice = choose_node_threshold([FrameKeypoints(truth, placed)], [scores])
    f1 = {c.threshold: c.f1 for c in choice.candidates}
    assert f1[0.1] - f1[0.0] < 0.02  # hiding the wrong node gains ~0.01 F1: not worth hiding
    assert choice.threshold == 0.0
    scores[0, :10] = 0.05
    placed[0, 1:10, :2] = (600, 600)  # now ten of them are wrong: hiding pays
    choice = choose_node_threshold([FrameKeypoints(truth, placed)], [scores])
    assert choice.threshold > 0.05
