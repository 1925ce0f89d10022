"""Synthetic animals for tracker tests: 3-node poses (head, body, tail) along given paths."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from core.domain import Instance, Skeleton
from core.tracking import Detection

Pose = Callable[..., np.ndarray]


def pose_at(x: float, y: float, heading: float = 0.0, length: float = 20.0) -> np.ndarray:
    """Keypoints (3, 3) of an animal centred at (x, y) facing `heading` (radians)."""
    dx, dy = np.cos(heading) * length / 2, np.sin(heading) * length / 2
    return np.array([[x + dx, y + dy, 2], [x, y, 2], [x - dx, y - dy, 2]], dtype=np.float32)


def detection(x: float, y: float, heading: float = 0.0, score: float | None = None, index: int = 0) -> Detection:
    points = pose_at(x, y, heading)[:, :2].astype(np.float64)
    return Detection(points, None, score, index)


def crossing_paths(frames: int = 60, speed: float = 4.0) -> dict[int, list[tuple[float, float, float]]]:
    """Two animals on an X: A goes right and down, B goes right and up; they meet mid-way
    (their centres coincide at the middle frame) and go on. {frame: [(x, y, heading) of A, of B]}."""
    out = {}
    for f in range(frames):
        t = f - frames / 2
        a = (200 + speed * t, 200 + speed * t, np.pi / 4)
        b = (200 + speed * t, 200 - speed * t, -np.pi / 4)
        out[f] = [a, b]
    return out


@pytest.fixture
def skeleton(project):
    return project.skeletons.add(Skeleton.from_names("rat", ["head", "body", "tail"], [("head", "body"), ("body", "tail")]))


@pytest.fixture
def add_paths(project, video, skeleton):
    """Store instances for {frame: [(x, y, heading), ...]} and return {frame: [instance ids]}."""

    def add(paths, source: str = "user", track_ids: list[int | None] | None = None, score: float | None = None):
        instances = []
        for f, animals in sorted(paths.items()):
            for k, (x, y, heading) in enumerate(animals):
                track = track_ids[k] if track_ids else None
                instances.append(Instance(video.id, f, track_id=track, skeleton_id=skeleton.id,
                                          keypoints=pose_at(x, y, heading), source=source,
                                          score=score if source == "predicted" else None))  # fmt: skip
        project.instances.add_many(instances)
        by_frame = project.instances.on_frames(video.id, 0, 10**6)
        return {f: [i.id for i in xs] for f, xs in by_frame.items()}

    return add
