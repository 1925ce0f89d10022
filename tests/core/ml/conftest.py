"""Fixtures the ML job tests share: the toy detection task (`toy_detect_task.py`, trains in
well under a second) registered for the test, and a tiny video with four labelled boxes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core.domain import Box, Instance
from core.ml.tasks import registry
from core.workflows.videos import add_videos

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def toy_task():
    from toy_detect_task import ToyDetectTask

    with registry.registered(ToyDetectTask()):
        yield


@pytest.fixture
def labelled(project, tiny_video):
    """The tiny video, with a user box on frames 0, 5, 10 and 15."""
    (video,) = add_videos(project, [tiny_video])
    for frame in (0, 5, 10, 15):
        project.instances.add(Instance(video.id, frame, box=Box(2, 2, 20, 20)))
    return video
