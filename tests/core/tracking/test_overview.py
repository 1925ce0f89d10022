import numpy as np

from core.tracking.overview import track_runs


def test_runs_of_consecutive_frames():
    assert track_runs(np.array([1, 2, 3, 7, 8, 20])) == [(1, 3), (7, 8), (20, 20)]
    assert track_runs(np.array([1, 3, 5, 9]), max_gap=2) == [(1, 5), (9, 9)]
    assert track_runs(np.array([], dtype=int)) == []
