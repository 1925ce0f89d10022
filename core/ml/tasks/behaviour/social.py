"""Social trajectory features of one subject against the others in its video, in body lengths.

Columns: distance to the nearest other subject (now and its one-second mean), its bearing from
one's heading and the alignment of the two headings (cos, sin each), its speed, the closing
speed, a flag for "no other subject known here"; with keypoints, distances from one's head
(first node) to each node of the nearest other and from its head to each of one's nodes, the
bearing of each of its nodes from one's heading (cos, sin; the cos also over a second: aiming
at another's rear or head is how following and sniffing look); the
same two minimised over all others, and their one-second means; and "following": how much one
moves the way a close other moves (cosine of the two velocities, within 2.5 body lengths),
now and over a second. Far or unknown distances read as `FAR`.
"""

from __future__ import annotations

import numpy as np

from core.ml.tasks.behaviour.positions import SubjectTrack, centre_of, heading_of
from core.ml.tasks.behaviour.signals import (
    SECOND,
    central_difference,
    rolling_mean,
    wrap,
)

FAR = 10.0  # body lengths: distances are capped here, and unknown ones read as this
FOLLOW_RANGE = 2.5  # body lengths within which moving alike counts as following


def n_social_features(n_nodes: int) -> int:
    return 9 + 9 * n_nodes + 2


def social_features(subject: SubjectTrack, others: list[SubjectTrack], centre: np.ndarray, heading: np.ndarray,
                    body: float, n_nodes: int) -> np.ndarray:  # fmt: skip
    """(F, n_social_features(n_nodes)) float64; NaN where the subject itself is unknown."""
    n = len(centre)
    keypoints = subject.keypoints[:, :n_nodes]
    nearest = np.full(n, np.inf)
    near_block = np.zeros((n, 6 + 4 * n_nodes))
    closest = np.full((n, 2 * n_nodes), FAR)
    following = np.zeros(n)
    velocity = central_difference(centre, 3)
    for other in others:
        other_centre = centre_of(other)
        gap = other_centre - centre
        distance = np.hypot(gap[:, 0], gap[:, 1]) / body
        distance = np.where(np.isnan(distance), np.inf, distance)
        closer = distance < nearest
        nearest = np.where(closer, distance, nearest)
        other_velocity = central_difference(other_centre, 3)
        bearing = wrap(np.arctan2(gap[:, 1], gap[:, 0]) - heading)
        alignment = wrap(heading_of(other, other_centre) - heading)
        other_points = other.with_nodes(n_nodes).keypoints
        head_to_theirs = np.linalg.norm(keypoints[:, :1] - other_points, axis=-1) / body
        theirs_to_mine = np.linalg.norm(other_points[:, :1] - keypoints, axis=-1) / body
        nodes = np.nan_to_num(np.minimum(np.concatenate([head_to_theirs, theirs_to_mine], axis=1), FAR), nan=FAR)
        towards = other_points - keypoints[:, :1] if n_nodes else np.zeros((n, 0, 2))  # from one's head to each of their nodes
        aim = wrap(np.arctan2(towards[..., 1], towards[..., 0]) - heading[:, None])
        row = np.concatenate([np.stack([np.cos(bearing), np.sin(bearing), np.cos(alignment), np.sin(alignment),
                                        np.linalg.norm(other_velocity, axis=1) / body, np.zeros(n)], axis=1), nodes,
                              np.cos(aim), np.sin(aim)], axis=1)  # fmt: skip
        near_block = np.where(closer[:, None], np.nan_to_num(row), near_block)
        closest = np.minimum(closest, nodes)
        alike = np.sum(velocity * other_velocity, axis=1) / (
            np.linalg.norm(velocity, axis=1) * np.linalg.norm(other_velocity, axis=1) + (0.02 * body) ** 2)
        following = np.maximum(following, np.nan_to_num(alike * (distance < FOLLOW_RANGE)))
    alone = ~np.isfinite(nearest)
    distance = np.minimum(nearest, FAR)
    near_block[:, 5] = -np.gradient(distance) if n > 1 else 0.0
    aim_cos = near_block[:, 6 + 2 * n_nodes : 6 + 3 * n_nodes]
    columns = [distance[:, None], rolling_mean(distance, SECOND)[:, None], near_block, rolling_mean(aim_cos, SECOND), alone[:, None].astype(np.float64),
               closest, rolling_mean(closest, SECOND), following[:, None], rolling_mean(following, SECOND)[:, None]]  # fmt: skip
    return np.concatenate(columns, axis=1)

