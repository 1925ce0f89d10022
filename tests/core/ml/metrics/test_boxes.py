"""COCO box and mask mAP from in-memory lists, on cases whose answer is known by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.domain import Rle
from core.ml.metrics.boxes import box_map, mask_map


def _mask(x1: int, y1: int, x2: int, y2: int, height: int = 60, width: int = 80) -> Rle:
    array = np.zeros((height, width), bool)
    array[y1:y2, x1:x2] = True
    return Rle.from_array(array)


def _truth() -> list[list[dict]]:
    return [
        [{"box": (10, 10, 30, 40), "class_id": 1, "mask": _mask(10, 10, 30, 40)},
         {"box": (50, 5, 70, 25), "class_id": 1, "mask": _mask(50, 5, 70, 25)}],
        [{"box": (0, 20, 25, 50), "class_id": None, "mask": _mask(0, 20, 25, 50)}],
    ]  # fmt: skip


def test_a_perfect_prediction_scores_one():
    truth = _truth()
    found = [[{**t, "score": 0.9} for t in image] for image in truth]
    assert box_map(truth, found) == pytest.approx({"map": 1.0, "map50": 1.0, "map75": 1.0})
    assert mask_map(truth, found) == pytest.approx({"map": 1.0, "map50": 1.0, "map75": 1.0})


def test_shifted_boxes_score_lower_the_more_they_miss():
    truth = _truth()

    def shifted(dx: int) -> list[list[dict]]:
        return [[{**t, "box": (t["box"][0] + dx, t["box"][1], t["box"][2] + dx, t["box"][3]),
                  "mask": _mask(t["box"][0] + dx, t["box"][1], t["box"][2] + dx, t["box"][3]), "score": 0.9}
                 for t in image] for image in truth]  # fmt: skip

    slight, large, off = box_map(truth, shifted(2)), box_map(truth, shifted(6)), box_map(truth, shifted(20))
    assert slight["map50"] == pytest.approx(1.0) and slight["map"] < 1.0
    assert large["map"] < slight["map"] and off["map50"] == 0.0
    assert mask_map(truth, shifted(6))["map"] < 1.0


def test_misses_false_positives_and_wrong_classes_cost():
    truth = _truth()
    found = [[{**truth[0][0], "score": 0.9}], [{**truth[1][0], "score": 0.9}]]  # one of three missed
    assert box_map(truth, found)["map50"] < 1.0
    # a confident false positive ranked above the true detections lowers precision
    fp = [[{"box": (40, 40, 60, 58), "class_id": 1, "score": 0.99}, *[{**t, "score": 0.5} for t in truth[0]]],
          [{**truth[1][0], "score": 0.5}]]  # fmt: skip
    assert 0.0 < box_map(truth, fp)["map50"] < 1.0
    wrong_class = [[{**t, "class_id": 2, "score": 0.9} for t in image] for image in truth]
    assert box_map(truth, wrong_class)["map50"] == 0.0


def test_empty_cases():
    truth = _truth()
    assert box_map(truth, [[], []]) == {"map": 0.0, "map50": 0.0, "map75": 0.0}
    assert all(math.isnan(v) for v in box_map([[], []], [[], []]).values())
    with pytest.raises(ValueError, match="images"):
        box_map(truth, [[]])
    with pytest.raises(ValueError, match="mask"):
        mask_map([[{"box": (0, 0, 5, 5), "class_id": 1}]], [[{"box": (0, 0, 5, 5), "class_id": 1, "score": 1.0}]])


def test_uncompressed_rle_dicts_are_accepted():
    """The demo's ground truth gives masks as COCO uncompressed RLE (column-major run lengths)."""
    array = np.zeros((60, 80), bool)
    array[10:40, 10:30] = True
    flat = array.flatten(order="F").astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flat, [1 - flat[-1]]])))
    counts = np.diff(np.concatenate([[0], edges])).tolist()
    truth = [[{"box": (10, 10, 30, 40), "class_id": 1, "mask": {"size": [60, 80], "counts": counts}}]]
    found = [[{"box": (10, 10, 30, 40), "class_id": 1, "mask": _mask(10, 10, 30, 40), "score": 1.0}]]
    assert mask_map(truth, found)["map"] == pytest.approx(1.0)
