"""A skeleton template to drop in one keystroke, as SLEAP's "add instance" does: the mean pose
of the project's labels of that skeleton, or a spread layout when there are none yet.

Pure numpy (no Qt), so it can move to `core` when a second caller wants it.
"""

from __future__ import annotations

import numpy as np

from core.domain import Visibility
from core.project import Project

MAX_POSES = 500  # enough for a stable mean; a large project is not scanned whole


def rotation_onto(points: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """The 2x2 rotation (no mirror) taking centred `points` closest onto centred `reference`
    (Kabsch): `points @ R` is then turned as `reference` is."""
    u, _, vt = np.linalg.svd(points.T @ reference)
    mirror = np.sign(np.linalg.det(u @ vt)) or 1.0
    return u @ np.diag([1.0, mirror]) @ vt


def mean_pose(poses: list[np.ndarray], n_nodes: int) -> np.ndarray:
    """The average of `poses` (each `(n_nodes, 3)`: x, y, visibility), each first centred on
    its labelled nodes and turned onto the most completely labelled one (animals face every
    way: averaging them unturned shrinks the template to a blob), as `(n_nodes, 2)` in that
    pose's orientation; nodes never labelled are NaN."""
    shapes = []
    for pose in poses:
        labelled = pose[:n_nodes, 2] > Visibility.UNLABELLED
        if labelled.sum() < 2:
            continue  # one node says nothing about shape
        shapes.append((pose[:n_nodes, :2] - pose[:n_nodes][labelled, :2].mean(axis=0), labelled))
    total, count = np.zeros((n_nodes, 2)), np.zeros(n_nodes)
    if not shapes:
        return np.full((n_nodes, 2), np.nan)
    reference, reference_labelled = max(shapes, key=lambda shape: shape[1].sum())
    for centred, labelled in shapes:
        both = labelled & reference_labelled
        if both.sum() >= 2:
            centred = centred @ rotation_onto(centred[both], reference[both])
        total[labelled] += centred[labelled]
        count[labelled] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count[:, None] > 0, total / count[:, None], np.nan)


def spread_layout(n_nodes: int, radius: float) -> np.ndarray:
    """Nodes evenly on a circle of `radius` starting at the top, `(n_nodes, 2)`, centred on 0."""
    if n_nodes == 1:
        return np.zeros((1, 2))
    angles = -np.pi / 2 + 2 * np.pi * np.arange(n_nodes) / n_nodes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def template_keypoints(
    poses: list[np.ndarray], n_nodes: int, center: tuple[float, float], spread: float
) -> np.ndarray:
    """Keypoints `(n_nodes, 3)`, all visible, centred on `center`: the mean pose where known,
    the spread layout for the nodes no label has shown."""
    layout = mean_pose(poses, n_nodes)
    unknown = np.isnan(layout).any(axis=1)
    if unknown.all():
        layout = spread_layout(n_nodes, spread)
    elif unknown.any():
        known = layout[~unknown]
        radius = max(float(np.abs(known).max()), spread / 2)
        layout[unknown] = spread_layout(n_nodes, radius)[unknown]
    keypoints = np.empty((n_nodes, 3), dtype=np.float32)
    keypoints[:, :2] = layout + np.asarray(center, dtype=np.float64)
    keypoints[:, 2] = Visibility.VISIBLE
    return keypoints


def skeleton_poses(project: Project, skeleton_id: int, limit: int = MAX_POSES) -> list[np.ndarray]:
    """Keypoints of up to `limit` user labels of a skeleton, across the project's videos."""
    poses: list[np.ndarray] = []
    for video in project.videos.all():
        frames = project.instances.on_frames(video.id, 0, video.frame_count + 1, source="user")
        for instances in frames.values():
            poses += [i.keypoints for i in instances if i.skeleton_id == skeleton_id and i.keypoints is not None]
            if len(poses) >= limit:
                return poses[:limit]
    return poses
