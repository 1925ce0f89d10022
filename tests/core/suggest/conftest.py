"""Synthetic videos for the suggestion tests: three "scenes" that look nothing alike."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from core.project import Project
from core.workflows.videos import add_videos

SCENE_FRAMES = 30
WIDTH, HEIGHT = 64, 48


def scene_frame(scene: int, t: int) -> np.ndarray:
    """Frame `t` of scene 0 (a gradient), 1 (a checkerboard) or 2 (a bright disk on black);
    each drifts a little with t so that no two frames of a scene are identical."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    if scene == 0:
        gray = (x * 4 + t) % 256
    elif scene == 1:
        gray = np.where(((x + t // 3) // 8 + y // 8) % 2 == 0, 230, 20)
    else:
        gray = np.where((x - 20 - t // 2) ** 2 + (y - 24) ** 2 < 12**2, 250, 0)
    return np.repeat(gray.astype(np.uint8)[..., None], 3, axis=2)


def write_frames(path: Path, frames: list[np.ndarray], fps: int = 10) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        # A short GOP, so reading samples in order crosses keyframes as long videos do.
        stream.options = {"g": "12", "crf": "10"}
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture
def scenes_video(tmp_path: Path) -> Path:
    """90 frames: scene 0 for frames 0-29, scene 1 for 30-59, scene 2 for 60-89."""
    frames = [scene_frame(scene, t) for scene in range(3) for t in range(SCENE_FRAMES)]
    return write_frames(tmp_path / "scenes.mp4", frames)


@pytest.fixture
def static_video(tmp_path: Path) -> Path:
    """40 identical frames: k-means has nothing to tell apart."""
    return write_frames(tmp_path / "static.mp4", [scene_frame(1, 0)] * 40)


@pytest.fixture
def scenes_project(project: Project, scenes_video: Path) -> tuple[Project, int]:
    (video,) = add_videos(project, [scenes_video])
    return project, video.id
