"""Review > Next after a correction, driven by keys and mouse in the real window: accepting or
correcting a frame's weakest prediction raises that frame's confidence (it moves down the
order), yet Next goes to the next lowest-scored frame still to review, and never says there is
nothing left while the dock lists frames. Scores that are not 0-1 confidences (SLEAP sums its
nodes' scores) are shown as they are against a slider scaled to them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from core.domain import Box, Instance, ModelRecord
from core.project import Project
from core.workflows.videos import add_videos
from gui.app import MainWindow

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from gui_windows import open_window  # noqa: E402

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton
NEXT = (Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

# frame: scores of its predictions, each a box of its own. Frame 2's weak box is at the left.
PREDICTIONS = {2: (0.1, 0.99), 5: (0.3,), 9: (0.5,), 14: (0.7,)}


def window_with(qtbot, tmp_path, tiny_video, predictions, scale: float = 1.0) -> MainWindow:
    with Project.create(tmp_path / "p") as project:
        (video,) = add_videos(project, [tiny_video])
        model = project.models.add(ModelRecord("toy model", "toy", "models/toy"))
        for frame, scores in predictions.items():
            for n, score in enumerate(scores):
                x = 4.0 + 30 * n
                project.instances.add(Instance(video.id, frame, box=Box(x, 10, x + 20, 30), source="predicted", score=score * scale, model_id=model.id))
    window = open_window(qtbot, tmp_path / "p", size=None)
    window.review.dock.raise_()
    qtbot.waitUntil(lambda: not window.view._pixmap.pixmap().isNull())
    qtbot.waitUntil(lambda: not window.review.panel.busy)  # the queue is ranked on a worker
    window.view.fit()
    return window


@pytest.fixture
def window(qtbot, tmp_path, tiny_video):
    return window_with(qtbot, tmp_path, tiny_video, PREDICTIONS)


def at(window, x, y):
    return window.view.mapFromScene(QPointF(x, y))


def press_next(qtbot, window, messages) -> int:
    messages.clear()
    qtbot.keyClick(window, *NEXT)
    return window.state.frame_index


def listed(window) -> list[int]:
    frames = window.review.panel.frame_list
    return [frames.item(r).data(Qt.ItemDataRole.UserRole) for r in range(frames.count())]


def status_messages(window) -> list[str]:
    messages: list[str] = []
    window.statusBar().messageChanged.connect(lambda text: messages.append(text) if text else None)
    return messages


def weak_prediction(window, frame):
    return min(window.project.instances.on_frame(window.state.video_id, frame, source="predicted"), key=lambda i: i.score)


def test_next_after_accepting_the_weakest_prediction_goes_to_the_next_lowest_scored_frame(qtbot, window):
    messages = status_messages(window)
    assert press_next(qtbot, window, messages) == 2  # the lowest-scored frame
    weak = weak_prediction(window, 2)
    QTest.mouseClick(window.view.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, at(window, 14, 20))
    assert window.state.selected_instance == weak.id
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Edit > Accept
    assert window.project.instances.get(weak.id).source == "user"
    assert listed(window) == [5, 9, 14, 2]  # frame 2 now ranks by its 0.99 prediction
    assert press_next(qtbot, window, messages) == 5  # the next lowest, not past the end
    assert not [m for m in messages if "no more" in m]
    assert press_next(qtbot, window, messages) == 9
    assert press_next(qtbot, window, messages) == 14
    assert press_next(qtbot, window, messages) == 2
    # At the end of the list, with frames still listed: back to the first, saying so.
    assert press_next(qtbot, window, messages) == 5
    assert messages and "no more" not in messages[-1]


def test_next_after_correcting_a_prediction_by_dragging_it(qtbot, window):
    messages = status_messages(window)
    qtbot.keyClick(window, Qt.Key.Key_V)  # the select tool
    assert press_next(qtbot, window, messages) == 2
    weak = weak_prediction(window, 2)
    viewport = window.view.viewport()
    QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, at(window, 14, 20))
    QTest.mouseMove(viewport, at(window, 16, 22))
    QTest.mouseMove(viewport, at(window, 18, 24))
    QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, at(window, 18, 24))
    corrected = window.project.instances.get(weak.id)
    assert corrected.source == "user" and corrected.box.x1 == pytest.approx(8, abs=1)
    assert press_next(qtbot, window, messages) == 5
    assert not [m for m in messages if "no more" in m]


def test_next_after_the_last_prediction_of_a_frame_is_accepted(qtbot, window):
    messages = status_messages(window)
    press_next(qtbot, window, messages)
    assert press_next(qtbot, window, messages) == 5
    window.state.select(weak_prediction(window, 5).id)
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert 5 not in listed(window)
    assert press_next(qtbot, window, messages) == 9  # from frame 5's place in the order


def test_scores_past_one_are_shown_raw_against_a_slider_scaled_to_them(qtbot, tmp_path, tiny_video):
    window = window_with(qtbot, tmp_path, tiny_video, PREDICTIONS, scale=30.0)  # SLEAP-like: 3 .. 29.7
    panel = window.review.panel
    qtbot.waitUntil(lambda: not panel.busy)  # the queue is ranked on a worker
    assert listed(window)[0] == 2
    assert "3.00" in panel.frame_list.item(0).text()  # the raw score, not squeezed into 0-1
    panel.threshold_slider.setValue(panel.threshold_slider.maximum())
    assert panel.threshold == pytest.approx(29.7, abs=0.5)
    assert panel.threshold_label.text() == "29.70 / 29.7"  # the raw threshold, of the raw range
    assert panel.scale_note.isVisible() and "not 0–1 confidences" in panel.scale_note.text()
    assert "29.70" in panel.scale_note.text() and panel.threshold_slider.toolTip() == panel.scale_note.text()
    panel.set_threshold(10.0)  # hides frame 2's 3.0 and frame 5's 9.0
    qtbot.waitUntil(lambda: not panel.busy)
    assert listed(window) == [9, 14, 2]


def test_a_zero_to_one_model_gets_no_scale_note(qtbot, window):
    panel = window.review.panel
    assert not panel.scale_note.isVisible() and panel.threshold_label.text() == "0.00"
