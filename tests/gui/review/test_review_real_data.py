"""The review view on SLEAP's real predictions of two flies (../shared/data): the dock lists the
least-confident frame first, a click shows it with its dashed, scored poses, and a screenshot
of the review view is saved when ETHOFRAME_SCREENSHOTS names a folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from core.interchange.slp import import_slp
from core.project import Project
from gui.app import MainWindow

pytestmark = pytest.mark.gui
SHOTS = os.environ.get("ETHOFRAME_SCREENSHOTS")


def test_reviewing_real_sleap_predictions(qtbot, tmp_path, shared_data):
    with Project.create(tmp_path / "flies") as project:
        import_slp(project, shared_data / "sleap" / "centered_pair_predictions.slp")
    window = MainWindow(tmp_path / "flies")
    qtbot.addWidget(window)
    controller = window.review
    window.show()
    controller.dock.raise_()
    panel = controller.panel
    qtbot.waitUntil(lambda: not panel.busy)  # ranked on a worker
    assert panel.summary.text() == "1,100 frames to review (the first 300 listed)"
    first = panel.frame_list.item(0)
    assert first.text() == "frame 1008  ·  lowest score 0.80 (3 predictions)"
    qtbot.mouseClick(panel.frame_list.viewport(), Qt.MouseButton.LeftButton, pos=panel.frame_list.visualItemRect(first).center())
    assert window.state.frame_index == 1008
    qtbot.waitUntil(lambda: window.view.frame_size() is not None and window.frames.cached(1008) is not None)
    scores = sorted(item.instance.score for item in window.view.instance_items)
    assert len(scores) == 3 and scores[0] == pytest.approx(0.803, abs=1e-3)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        window.view.fit()
        window.grab().save(str(Path(SHOTS) / "review_view.png"))
    # SLEAP's instance score sums its 24 nodes' scores: the slider reaches the highest of them.
    panel.threshold_slider.setValue(panel.threshold_slider.maximum())
    assert panel.threshold > 30 and window.view.score_threshold == panel.threshold
    panel.set_threshold(10.0)  # hides the weakest pose of the frame from the canvas
    assert panel.threshold == pytest.approx(10.0, abs=0.5) and len(window.view.instance_items) == 2
