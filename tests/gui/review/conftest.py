"""A window on a small project whose predictions are put straight into the store (no training),
with the review controller wired in as the main window will wire it."""

from __future__ import annotations

import pytest

from core.domain import Box, Instance, ModelRecord
from core.project import Project
from core.workflows.videos import add_videos
from gui.app import MainWindow

# frame: scores of its predictions. Frame 3 also has a user label.
PREDICTIONS = {3: (0.9, 0.4), 7: (0.6,), 12: (0.95,), 15: (0.2,)}


def prediction(video_id: int, frame: int, score: float, n: int, model_id: int) -> Instance:
    x = 4.0 + 24 * n
    return Instance(video_id, frame, box=Box(x, 4, x + 20, 24), source="predicted", score=score, model_id=model_id)


@pytest.fixture
def review_window(qtbot, tmp_path, tiny_video):
    """(window, controller) on a 20-frame video with the predictions of `PREDICTIONS`."""
    with Project.create(tmp_path / "p") as project:
        (video,) = add_videos(project, [tiny_video])
        model = project.models.add(ModelRecord("toy model", "toy", "models/toy"))
        project.instances.add(Instance(video.id, 3, box=Box(30, 30, 40, 40)))
        for frame, scores in PREDICTIONS.items():
            for n, score in enumerate(scores):
                project.instances.add(prediction(video.id, frame, score, n, model.id))
    window = MainWindow(tmp_path / "p")
    qtbot.addWidget(window)
    controller = window.review
    window.show()
    controller.dock.raise_()  # it shares a tab with History
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: not controller.panel.busy)  # the queue is ranked on a worker
    return window, controller
