"""Pose and box trajectory features per subject and frame, as SimBA and JAABA compute them.

Everything is measured in body lengths (the subject's median box diagonal) and per frame, so a
model trained on one camera carries to another: centre speed over short and long lags, heading
and its rate of turn, posture (keypoints relative to the centre, in the animal's own frame),
per-node speed, box shape, and the social part (distance, bearing and closing speed of the
nearest other subject). Unknown values are 0, and the last column says the subject's position
is missing on that frame (the model then leans on the video features).
"""

from __future__ import annotations

import warnings

import numpy as np

from core.ml.tasks.behaviour.positions import SubjectTrack

BASE_FEATURES = 16  # columns that do not depend on the number of keypoints


def n_pose_features(n_nodes: int) -> int:
    return BASE_FEATURES + 3 * n_nodes


def _lagged_speed(points: np.ndarray, lag: int) -> np.ndarray:
    """|p[t + lag] - p[t - lag]| / (2 lag), edges repeated; points (F, ..., 2)."""
    padded = np.concatenate([np.repeat(points[:1], lag, 0), points, np.repeat(points[-1:], lag, 0)])
    delta = padded[2 * lag :] - padded[: -2 * lag]
    return np.linalg.norm(delta, axis=-1) / (2 * lag)


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2 * np.pi) - np.pi


def pose_features(subject: SubjectTrack | None, others: list[SubjectTrack], n_frames: int, n_nodes: int) -> np.ndarray:
    """(n_frames, n_pose_features(n_nodes)) float32 for `subject` (None: no subject, all missing)."""
    out = np.zeros((n_frames, n_pose_features(n_nodes)), np.float32)
    if subject is None:
        out[:, -1] = 1.0
        return out
    boxes = subject.boxes
    centre = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], axis=1)
    size = np.hypot(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    body = float(np.nanmedian(size)) if np.isfinite(size).any() else 1.0
    body = max(body, 1.0)
    keypoints = subject.keypoints[:, :n_nodes] if subject.keypoints.shape[1] else np.full((n_frames, 0, 2), np.nan, np.float32)
    if keypoints.shape[1] < n_nodes:
        keypoints = np.concatenate([keypoints, np.full((n_frames, n_nodes - keypoints.shape[1], 2), np.nan, np.float32)], axis=1)
    if n_nodes and np.isfinite(keypoints).any():
        with warnings.catch_warnings():  # frames with no node known give NaN, as wanted
            warnings.simplefilter("ignore", RuntimeWarning)
            middle = np.nanmean(keypoints, axis=1)
        centre = np.where(np.isnan(middle), centre, middle)
        head = keypoints[:, 0] - centre
    else:
        head = np.full((n_frames, 2), np.nan, np.float32)
    velocity = np.gradient(centre, axis=0) if n_frames > 1 else np.zeros_like(centre)
    heading = np.arctan2(head[:, 1], head[:, 0])
    heading = np.where(np.isnan(heading), np.arctan2(velocity[:, 1], velocity[:, 0]), heading)
    turn = np.abs(_wrap(np.concatenate([[0.0], np.diff(heading)])))
    turn5 = np.abs(_wrap(heading - np.concatenate([np.repeat(heading[:1], 5), heading[:-5]])[:n_frames])) / 5

    columns = [
        _lagged_speed(centre, 1) / body, _lagged_speed(centre, 5) / body, _lagged_speed(centre, 15) / body,
        turn, turn5,
        (boxes[:, 2] - boxes[:, 0]) / body, (boxes[:, 3] - boxes[:, 1]) / body, size / body,
        _lagged_speed(size[:, None], 3),
    ]  # fmt: skip
    # Forward speed in the animal's own frame: walking forwards vs turning on the spot.
    unit = np.stack([np.cos(heading), np.sin(heading)], axis=1)
    columns.append(np.sum(velocity * unit, axis=1) / body)

    distance = np.full(n_frames, np.nan, np.float32)
    bearing = np.full(n_frames, np.nan, np.float32)
    for other in others:
        other_centre = np.stack([(other.boxes[:, 0] + other.boxes[:, 2]) / 2, (other.boxes[:, 1] + other.boxes[:, 3]) / 2], axis=1)
        gap = other_centre - centre
        d = np.hypot(gap[:, 0], gap[:, 1]) / body
        closer = np.isnan(distance) | (d < distance)
        closer &= ~np.isnan(d)
        distance = np.where(closer, d, distance)
        bearing = np.where(closer, _wrap(np.arctan2(gap[:, 1], gap[:, 0]) - heading), bearing)
    closing = -np.gradient(distance) if n_frames > 1 else np.zeros(n_frames)
    near = np.isnan(distance)
    columns += [np.minimum(distance, 10.0), np.cos(bearing), np.sin(bearing), closing, near.astype(np.float32)]

    base = np.stack(columns, axis=1)
    assert base.shape[1] == BASE_FEATURES - 1
    if n_nodes:
        relative = (keypoints - centre[:, None, :]) / body
        c, s = np.cos(-heading)[:, None], np.sin(-heading)[:, None]
        rotated = np.stack([c * relative[..., 0] - s * relative[..., 1], s * relative[..., 0] + c * relative[..., 1]], axis=-1)
        node_speed = _lagged_speed(keypoints, 2) / body
        nodes = np.concatenate([rotated.reshape(n_frames, -1), node_speed], axis=1)
    else:
        nodes = np.zeros((n_frames, 0), np.float32)
    out[:, :-1] = np.concatenate([base, nodes], axis=1)
    out[:, -1] = (~subject.known).astype(np.float32)
    out[~subject.known, :-1] = 0.0
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)
