"""The main window in each state a user meets, saved under tests/screenshots/ at the default
window size (1600x1000) for a person to look at: labelling a pose, coding behaviour, reviewing
predictions. (Proofreading 27 tracks is saved by test_window_layout.py, training by
training/test_training_controller.py.) Each also asserts what the picture must show."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.demo import WorldConfig
from core.domain import Instance
from core.demo.project import create_demo_project

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gui_windows import open_window  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.slow]  # a demo each, saved for a person to look at
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture
def demo(qtbot, tmp_path):
    create_demo_project(tmp_path / "demo", WorldConfig(width=480, height=360, seconds=4, n_animals=3, seed=2), labeled_frames=6).close()
    window = open_window(qtbot, tmp_path / "demo", size=(1600, 1000))
    qtbot.waitUntil(lambda: not window.view._pixmap.pixmap().isNull())
    labelled = [f for _, f in window.project.instances.labeled_frames(window.state.video_id)]
    window.state.set_frame(labelled[0])
    qtbot.waitUntil(lambda: len(window.view.instance_items) >= 3)
    return window


def save(window, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SCREENSHOTS / f"{name}.png"))


def test_labelling(qtbot, demo):
    demo.tool_bar.tool_actions["keypoint"].trigger()
    assert demo.view.tool is demo.tool_bar.tools["keypoint"]
    assert demo.view.width() > 0.5 * demo.width() and demo.view.height() > 0.5 * demo.height()
    save(demo, "labelling")


def test_behaviour_coding(qtbot, demo):
    demo.docks["Ethogram"].raise_()
    demo.view.setFocus()
    before = len(demo.project.events.in_video(demo.state.video_id))
    qtbot.keyClick(demo.view, Qt.Key.Key_W)  # walk starts
    for _ in range(10):
        qtbot.keyClick(demo, Qt.Key.Key_Right)
    assert len(demo.project.events.in_video(demo.state.video_id)) == before + 1
    save(demo, "behaviour_coding")


def test_review(qtbot, demo):
    video = demo.state.video_id
    truth = demo.project.instances.on_frame(video, demo.state.frame_index, source="user")
    rng = np.random.default_rng(0)
    predictions = [
        Instance(video, f, skeleton_id=i.skeleton_id, keypoints=np.hstack([i.keypoints[:, :2] + rng.normal(0, 2, (len(i.keypoints), 2)), i.keypoints[:, 2:]]).astype(np.float32),
                 keypoint_scores=np.full(len(i.keypoints), 0.8, np.float32), source="predicted", score=float(rng.uniform(0.3, 0.95)))  # fmt: skip
        for f in range(demo.state.frame_count)
        for i in truth
    ]
    demo.project.instances.add_many(predictions)
    demo.review.panel.refresh()
    demo.review.dock.raise_()
    qtbot.waitUntil(lambda: not demo.review.panel.busy)
    demo.refresh_annotations()
    assert demo.review.panel.frame_list.count() > 0
    save(demo, "review")
