"""An edit on a video full of predictions refreshes only what it touched, driven by the real
shortcuts and mouse: a drag writes nothing until release and is one undo step; moving a user
label's node re-ranks nothing and re-runs no whole-video analysis; accepting or rejecting a
prediction re-ranks that frame only and the timeline re-reads that frame's marker; a swap shows
in the track lanes (their analysis runs on a worker); an undo during a drag drops the drag."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog

from core.domain import Box, Instance, ModelRecord, Skeleton, Track
from core.project import Project
from core.workflows.videos import add_videos

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gui_windows import open_window  # noqa: E402
from video_files import write_test_video  # noqa: E402

pytestmark = pytest.mark.gui
LEFT, NONE = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
FRAMES = 40
USER_FRAME = 10  # the user's pose is here; every frame has two tracked predictions


def pose(x: float, y: float) -> np.ndarray:
    return np.array([[x, y, 2], [x, y + 6, 2], [x, y + 12, 2]], dtype=np.float32)


@pytest.fixture
def window(qtbot, tmp_path):
    video_path = write_test_video(tmp_path / "v.mp4", frames=FRAMES, width=128, height=96)
    with Project.create(tmp_path / "p") as project:
        (video,) = add_videos(project, [video_path])
        skeleton = project.skeletons.add(Skeleton.from_names("fly", ["head", "thorax", "tail"], [("head", "thorax"), ("thorax", "tail")]))
        a, b = project.tracks.add(Track("a", "#ff0000")), project.tracks.add(Track("b", "#0000ff"))
        model = project.models.add(ModelRecord("pose", "pose", "models/pose"))
        project.instances.add(Instance(video.id, USER_FRAME, skeleton_id=skeleton.id, keypoints=pose(100, 20)))
        project.instances.add_many(
            Instance(video.id, f, track_id=t.id, skeleton_id=skeleton.id, box=Box(x - 8, 50, x + 8, 80), keypoints=pose(x, 55),
                     source="predicted", score=0.5 + 0.01 * f, model_id=model.id)  # fmt: skip
            for f in range(FRAMES)
            for t, x in ((a, 20), (b, 60))
        )
    window = open_window(qtbot, tmp_path / "p")
    qtbot.waitUntil(lambda: not window.view._pixmap.pixmap().isNull())
    qtbot.waitUntil(lambda: not window.review.panel.busy and not window.panels.track_lanes.busy)
    window.state.set_frame(USER_FRAME)
    qtbot.waitUntil(lambda: len(window.view.instance_items) == 3)
    window.view.fit()
    return window


class Calls:
    """Counts the calls of whole-video reads, wrapped where the views call them."""

    def __init__(self, monkeypatch, window) -> None:
        self.counts = {"markers": 0, "rank": 0, "overview": 0}
        data = window.panels.timeline.data
        reload_markers = data.reload_markers
        monkeypatch.setattr(data, "reload_markers", lambda: (self._count("markers"), reload_markers())[1])
        for name, analysis in (("rank", window.review.panel.analysis), ("overview", window.panels.track_lanes.analysis)):
            request = analysis.request
            monkeypatch.setattr(analysis, "request", lambda *a, name=name, request=request, **k: (self._count(name), request(*a, **k))[1])

    def _count(self, name: str) -> None:
        self.counts[name] += 1


def at(window, x, y):
    return window.view.mapFromScene(QPointF(x, y))


def user_pose(window) -> np.ndarray:
    (user,) = window.project.instances.on_frame(window.state.video_id, USER_FRAME, source="user")
    return user.keypoints


def test_a_drag_writes_once_on_release_and_reranks_nothing(qtbot, window, monkeypatch):
    calls = Calls(monkeypatch, window)
    steps = window.undo_controller.stack.count()
    viewport = window.view.viewport()
    QTest.mousePress(viewport, LEFT, NONE, at(window, 100, 20))
    for n in range(1, 6):
        QTest.mouseMove(viewport, at(window, 100 + 2 * n, 20 + n))
    assert user_pose(window)[0, :2].tolist() == [100, 20]  # nothing written mid-drag...
    head = next(i for i in window.view.instance_items if not i.instance.is_predicted).instance.keypoints[0]
    assert head[:2].tolist() == pytest.approx([110, 25], abs=0.6)  # ...but the canvas shows it moving
    QTest.mouseRelease(viewport, LEFT, NONE, at(window, 110, 25))
    assert user_pose(window)[0, :2].tolist() == pytest.approx([110, 25], abs=0.6)
    assert window.undo_controller.stack.count() == steps + 1  # one undo step
    assert calls.counts == {"markers": 0, "rank": 0, "overview": 0}  # a user label's node: no whole-video work
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert user_pose(window)[0, :2].tolist() == [100, 20]


def test_accept_and_reject_rerank_only_their_frame(qtbot, window, monkeypatch):
    panel = window.review.panel
    assert panel.order[0].frame_index == 0  # lowest scores first
    calls = Calls(monkeypatch, window)
    window.state.set_frame(0)
    first, second = window.project.instances.on_frame(window.state.video_id, 0, source="predicted")
    window.state.select(first.id)
    qtbot.keyClick(window, Qt.Key.Key_Return, CTRL)  # accept
    assert 0 in window.panels.timeline.data.labelled  # the timeline marks the frame labelled
    assert panel.order[0].frame_index == 0  # its other prediction still to review
    window.state.select(second.id)
    qtbot.keyClick(window, Qt.Key.Key_Delete, SHIFT)  # reject
    assert 0 not in [item.frame_index for item in panel.order]  # nothing left there to review
    assert panel.frame_list.item(0).data(Qt.ItemDataRole.UserRole) == 1
    assert len(panel.order) == FRAMES - 1
    assert calls.counts["markers"] == 0 and calls.counts["rank"] == 0  # one frame re-read, not the video
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)  # the rejected prediction is back, and so is the frame
    assert panel.order[0].frame_index == 0
    qtbot.waitUntil(lambda: not window.panels.track_lanes.busy)  # its suspects were recomputed off-thread


def test_a_swap_shows_in_the_track_lanes(qtbot, window, monkeypatch):
    lanes = window.panels.track_lanes
    assert [runs for _name, _color, runs in lanes.rows] == [[(0, FRAMES - 1)], [(0, FRAMES - 1)]]
    assert not lanes.suspects
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *args, **kwargs: (args[3][0], True)))
    window.state.set_frame(20)
    on_a = next(i for i in window.project.instances.on_frame(window.state.video_id, 20) if i.track_id == 1)
    window.state.select(on_a.id)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL | SHIFT)  # swap identity from here, with track b
    after = {i.track_id for i in window.project.instances.on_frame(window.state.video_id, 25) if i.box.x1 < 30}
    assert after == {2}
    qtbot.waitUntil(lambda: not lanes.busy)
    assert [s.frame for s in lanes.suspects if s.kind == "jump"] == [20, 20]  # both tracks jump at the swap


def test_an_undo_during_a_drag_drops_the_drag(qtbot, window):
    viewport = window.view.viewport()
    QTest.mousePress(viewport, LEFT, NONE, at(window, 100, 20))  # move the head once, for real
    QTest.mouseMove(viewport, at(window, 104, 24))
    QTest.mouseRelease(viewport, LEFT, NONE, at(window, 104, 24))
    assert user_pose(window)[0, :2].tolist() == pytest.approx([104, 24], abs=0.6)
    QTest.mousePress(viewport, LEFT, NONE, at(window, 100, 32))  # grab the tail...
    QTest.mouseMove(viewport, at(window, 90, 40))
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)  # ...and undo the head's move meanwhile
    QTest.mouseRelease(viewport, LEFT, NONE, at(window, 90, 40))
    assert user_pose(window)[:, :2].tolist() == pose(100, 20)[:, :2].tolist()  # the undo held; the drag was dropped
    assert not window.undo_controller.stack.canUndo() or window.undo_controller.stack.undoText() != "Move node"
