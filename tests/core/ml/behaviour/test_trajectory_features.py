"""Trajectory features: what each kind of column responds to, and what it must ignore."""

import numpy as np
import pytest

from core.ml.tasks.behaviour.inputs import InputLayout
from core.ml.tasks.behaviour.positions import SubjectTrack
from core.ml.tasks.behaviour.signals import direction_change, rolling_mean, rolling_std
from core.ml.tasks.behaviour.trajectory import (
    MOVEMENT_FEATURES,
    POSE_FEATURES_VERSION,
    joint_triples,
    n_pose_features,
    pose_features,
)

EDGES = ((0, 3), (1, 3), (2, 3), (3, 4), (4, 5))  # the demo mouse: snout, ears, neck, tail base, tail tip


def _track(points: np.ndarray, track_id: int = 0) -> SubjectTrack:
    boxes = np.concatenate([points.min(axis=1), points.max(axis=1)], axis=1).astype(np.float32)
    return SubjectTrack(track_id, boxes, points.astype(np.float32), np.ones(len(points), bool))


def _walking_mouse(frames: int = 120, seed: int = 0, offset=(0.0, 0.0)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    template = np.array([[20, 0], [12, -5], [12, 5], [8, 0], [-20, 0], [-45, 0]], np.float64)
    path = np.cumsum(rng.normal(0, 1, (frames, 2)) + [2.0, 0.0], axis=0) + offset
    return template[None] + path[:, None] + rng.normal(0, 0.5, (frames, len(template), 2))


def _rotate(points: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return points @ np.array([[c, s], [-s, c]])


def test_rolling_statistics_skip_unknown_frames():
    values = np.array([1.0, 1.0, np.nan, 5.0, 5.0])
    assert rolling_mean(values, 3)[2] == pytest.approx(3.0)  # the mean of 1 and 5, not NaN
    assert rolling_mean(np.array([np.nan] * 4), 3)[1] != rolling_mean(np.array([np.nan] * 4), 3)[1]  # NaN: nothing known
    assert rolling_std(np.ones(10), 5).max() == pytest.approx(0.0)


def test_direction_change_sees_turns_not_straight_lines_or_stillness():
    straight = np.stack([np.arange(40.0), np.zeros(40)], axis=1)
    corner = straight.copy()
    corner[20:] = np.stack([np.full(20, 19.0), np.arange(1.0, 21.0)], axis=1)
    assert direction_change(straight, 4, scale=10).max() == pytest.approx(0.0)
    assert direction_change(corner, 4, scale=10)[19] > 0.1
    jitter = np.random.default_rng(0).normal(0, 0.01, (40, 2))  # a still animal's noise is no turn
    assert direction_change(jitter, 4, scale=10).max() < 0.05


def test_the_demo_skeleton_has_seven_joint_angles():
    assert len(joint_triples(EDGES)) == 7  # four edges meet at the neck (6 pairs), two at the tail base
    assert n_pose_features(6, 7) == pose_features(_track(_walking_mouse()), [], 120, 6, EDGES).shape[1]


def test_posture_and_social_columns_ignore_where_the_camera_looks():
    mouse, other = _walking_mouse(seed=1), _walking_mouse(seed=2, offset=(0.0, 60.0))
    plain = pose_features(_track(mouse), [_track(other, 1)], 120, 6, EDGES)
    turned = pose_features(_track(_rotate(mouse, 1.0)), [_track(_rotate(other, 1.0), 1)], 120, 6, EDGES)
    movement_speeds = [0, 1, 2]
    assert np.allclose(plain[:, movement_speeds], turned[:, movement_speeds], atol=1e-4)
    posture = slice(MOVEMENT_FEATURES, -1)  # box width and height (in the movement block) do change
    assert np.allclose(plain[5:-5, posture], turned[5:-5, posture], atol=1e-3)


def test_a_missing_subject_is_flagged_and_zeroed():
    points = _walking_mouse()
    track = _track(points)
    track.known[50:60] = False
    track.boxes[50:60] = np.nan
    track.keypoints[50:60] = np.nan
    features = pose_features(track, [], 120, 6, EDGES)
    assert np.isfinite(features).all()
    assert (features[50:60, -1] == 1).all() and (features[50:60, :-1] == 0).all()
    assert (features[:50, -1] == 0).all()


def test_a_model_of_an_older_feature_layout_is_refused_clearly():
    old = InputLayout(video=False, pose=True, n_nodes=6, frame_dims=0, crop_dims=0)  # as saved before versions
    with pytest.raises(ValueError, match="train the model again"):
        old.check_current()
    InputLayout(False, True, 6, 0, 0, EDGES, POSE_FEATURES_VERSION).check_current()
