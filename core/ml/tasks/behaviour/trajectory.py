"""Pose and box trajectory features per subject and frame, as SimBA and JAABA compute them.

Everything is measured in body lengths (the subject's median box diagonal) and per frame, so a
model trained on one camera carries to another. Columns, in order:

- movement: centre speed over short and long lags, forward and sideways speed in the animal's
  own frame, rate of turn of the heading (centre to the first node) and of the direction of
  movement (JAABA's "dphi"), and their rolling means and spreads over half and one second;
  box shape;
- posture (with keypoints): nodes relative to the centre in the animal's own frame, distances
  between every pair of nodes and the angle at every joint of the skeleton (both unchanged by
  rotation), node speeds, how much each node and pair distance jitters (grooming scrubs), and
  how fast each node's direction of movement turns (a turning head leads the body);
- social (`social.py`): distance, bearing and alignment of the nearest other subject, distances
  from one's head to the others' nodes and back, and whether one follows another;
- a last column saying the subject's position is missing on that frame (its other columns are
  then 0 and the model leans on the video features).

`POSE_FEATURES_VERSION` names this layout; a model trained on another refuses to predict.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from core.ml.tasks.behaviour.positions import (
    SubjectTrack,
    body_length,
    centre_of,
    heading_of,
)
from core.ml.tasks.behaviour.signals import (
    HALF_SECOND,
    SECOND,
    central_difference,
    direction_change,
    rolling_mean,
    rolling_std,
    shifted,
    wrap,
)
from core.ml.tasks.behaviour.social import n_social_features, social_features

POSE_FEATURES_VERSION = 2
MOVEMENT_FEATURES = 22


def joint_triples(edges: Sequence[Sequence[int]], n_nodes: int | None = None) -> list[tuple[int, int, int]]:
    """(a, joint, b) for every two skeleton edges meeting at one node: the angles a posture has
    (only those among the first `n_nodes` nodes, when given)."""
    edges = [tuple(e) for e in edges]
    triples = []
    for i, (a, b) in enumerate(edges):
        for c, d in edges[i + 1 :]:
            shared = {a, b} & {c, d}
            if len(shared) == 1 and len({a, b, c, d}) == 3:
                joint = shared.pop()
                triples.append(((set((a, b)) - {joint}).pop(), joint, (set((c, d)) - {joint}).pop()))
    return triples if n_nodes is None else [t for t in triples if max(t) < n_nodes]


def n_posture_features(n_nodes: int, n_joints: int) -> int:
    pairs = n_nodes * (n_nodes - 1) // 2
    return 2 * n_nodes + 2 * pairs + 2 * n_joints + 4 * n_nodes


def n_pose_features(n_nodes: int, n_joints: int = 0) -> int:
    return MOVEMENT_FEATURES + n_posture_features(n_nodes, n_joints) + n_social_features(n_nodes) + 1


def _movement(track: SubjectTrack, centre: np.ndarray, heading: np.ndarray, body: float) -> list[np.ndarray]:
    velocity = central_difference(centre, 1)
    speed = np.linalg.norm(velocity, axis=1) / body
    unit = np.stack([np.cos(heading), np.sin(heading)], axis=1)
    columns = [speed, np.linalg.norm(central_difference(centre, 5), axis=1) / body,
               np.linalg.norm(central_difference(centre, 15), axis=1) / body,
               np.sum(velocity * unit, axis=1) / body, (velocity[:, 0] * unit[:, 1] - velocity[:, 1] * unit[:, 0]) / body]  # fmt: skip
    turns = [np.abs(wrap(shifted(heading, lag) - shifted(heading, -lag))) / (2 * lag) for lag in (1, 5, 15)]
    columns += turns
    columns += [rolling_mean(speed, HALF_SECOND), rolling_std(speed, HALF_SECOND), rolling_mean(speed, SECOND),
                rolling_mean(turns[0], HALF_SECOND), rolling_mean(turns[1], SECOND)]  # fmt: skip
    for lag in (4, 10):
        change = direction_change(centre, lag, body)
        columns += [change, rolling_mean(change, HALF_SECOND), rolling_mean(change, SECOND)]
    boxes = track.boxes
    width, height = (boxes[:, 2] - boxes[:, 0]) / body, (boxes[:, 3] - boxes[:, 1]) / body
    columns += [width, height, np.hypot(width, height)]
    return columns


def _posture(keypoints: np.ndarray, centre: np.ndarray, heading: np.ndarray, body: float, joints: list[tuple[int, int, int]]) -> list[np.ndarray]:
    n_frames, n_nodes = keypoints.shape[:2]
    relative = (keypoints - centre[:, None, :]) / body
    c, s = np.cos(-heading)[:, None], np.sin(-heading)[:, None]
    rotated = np.stack([c * relative[..., 0] - s * relative[..., 1], s * relative[..., 0] + c * relative[..., 1]], axis=-1)
    upper = np.triu_indices(n_nodes, 1)
    pairs = np.linalg.norm(keypoints[:, :, None] - keypoints[:, None, :], axis=-1)[:, upper[0], upper[1]] / body
    angles = []
    for a, joint, b in joints:
        u, v = keypoints[:, a] - keypoints[:, joint], keypoints[:, b] - keypoints[:, joint]
        angle = np.arctan2(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0], np.sum(u * v, axis=1))
        angles += [np.cos(angle), np.sin(angle)]
    node_speed = np.linalg.norm(central_difference(keypoints, 2), axis=-1) / body
    jitter = rolling_std(rotated.reshape(n_frames, -1), 9).reshape(n_frames, n_nodes, 2).sum(axis=-1)
    node_turn = np.stack([direction_change(keypoints[:, k], 4, body) for k in range(n_nodes)], axis=1)
    return [rotated.reshape(n_frames, -1), pairs, np.stack(angles, axis=1) if angles else np.zeros((n_frames, 0)),
            node_speed, jitter, rolling_std(pairs, HALF_SECOND), node_turn, rolling_mean(node_turn, HALF_SECOND)]  # fmt: skip


def pose_features(subject: SubjectTrack | None, others: list[SubjectTrack], n_frames: int, n_nodes: int,
                  edges: Sequence[Sequence[int]] = ()) -> np.ndarray:  # fmt: skip
    """(n_frames, n_pose_features(n_nodes, len(joint_triples(edges, n_nodes)))) float32 for `subject`
    (None: no subject, all missing). `edges` are the skeleton's (node index, node index) pairs."""
    joints = joint_triples(edges, n_nodes)
    out = np.zeros((n_frames, n_pose_features(n_nodes, len(joints))), np.float32)
    if subject is None:
        out[:, -1] = 1.0
        return out
    subject = subject.with_nodes(n_nodes)
    keypoints = subject.keypoints
    body = body_length(subject)
    centre = centre_of(subject)
    heading = heading_of(subject, centre)
    with warnings.catch_warnings():  # unknown frames give NaN, zeroed below
        warnings.simplefilter("ignore", RuntimeWarning)
        columns = [np.stack(_movement(subject, centre, heading, body), axis=1)]
        if n_nodes:
            columns += _posture(keypoints.astype(np.float64), centre, heading, body, joints)
        columns.append(social_features(subject, others, centre, heading, body, n_nodes))
    features = np.concatenate(columns, axis=1)
    assert features.shape[1] == out.shape[1] - 1, (features.shape, out.shape)
    out[:, :-1] = features
    out[:, -1] = (~subject.known).astype(np.float32)
    out[~subject.known, :-1] = 0.0
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)
