"""The whole workbench driven as a user would, in the real main window on a demo project:
tool keys, mouse gestures on the canvas, behaviour keys, the timeline, undo — each checked in
the store. Screenshots of the window with every label kind are saved for a human to look at."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gui_windows import demo_window  # noqa: E402

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton
SHOTS = Path(os.environ.get("ETHOFRAME_SCREENSHOTS", "")) if os.environ.get("ETHOFRAME_SCREENSHOTS") else None


@pytest.fixture
def window(qtbot, tmp_path):
    main = demo_window(qtbot, tmp_path)
    main.state.set_frame(5)  # not a labelled frame
    qtbot.waitUntil(lambda: not main.view._pixmap.pixmap().isNull())
    main.view.fit()
    return main


def _at(window, x, y):
    return window.view.mapFromScene(QPointF(x, y))


def drag(qtbot, window, points):
    viewport = window.view.viewport()
    QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, _at(window, *points[0]))
    for point in points[1:]:
        QTest.mouseMove(viewport, _at(window, *point))
    QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, _at(window, *points[-1]))


def click(window, x, y, button=LEFT):
    QTest.mouseClick(window.view.viewport(), button, Qt.KeyboardModifier.NoModifier, _at(window, x, y))


def shot(window, name):
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / f"{name}.png"))


def user_instances(window):
    return window.project.instances.on_frame(window.state.video_id, window.state.frame_index, source="user")


def test_the_stable_object_names_exist(window):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QWidget

    for name in ("canvas", "timeline", "instances", "ethogram"):
        assert window.findChild(QWidget, name) is not None, name
    for name in ("tool_select", "tool_box", "tool_polygon", "tool_brush", "tool_keypoint"):
        assert window.findChild(QAction, name) is not None, name


def test_box_polygon_brush_and_skeleton_by_mouse_then_undo_each(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_B)
    drag(qtbot, window, [(20, 20), (60, 50), (100, 90)])
    (box,) = user_instances(window)
    assert (round(box.box.x1), round(box.box.y1), round(box.box.x2), round(box.box.y2)) == (20, 20, 100, 90)
    assert box.class_id == window.project.label_classes.find("mouse").id  # the panel's class

    qtbot.keyClick(window, Qt.Key.Key_O)
    for x, y in ((150, 30), (200, 30), (200, 80)):
        click(window, x, y)
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    polygons = [i for i in user_instances(window) if i.polygons]
    # a click lands on a screen pixel: within half a screen pixel of the frame point
    assert len(polygons) == 1 and np.allclose(polygons[0].polygons[0], [[150, 30], [200, 30], [200, 80]], atol=0.6)

    window.state.select(None)
    qtbot.keyClick(window, Qt.Key.Key_M)
    drag(qtbot, window, [(240, 150), (260, 150), (280, 160)])
    masks = [i for i in user_instances(window) if i.mask is not None]
    assert len(masks) == 1 and masks[0].mask.to_array()[150, 250]

    window.state.select(None)
    qtbot.keyClick(window, Qt.Key.Key_K)
    skeleton = window.project.skeletons.find("mouse")
    points = [(40 + 12 * n, 180 + 5 * n) for n in range(len(skeleton.nodes))]
    for x, y in points:
        click(window, x, y)
    poses = [i for i in user_instances(window) if i.keypoints is not None]
    assert len(poses) == 1 and np.allclose(poses[0].keypoints[:, :2], points, atol=0.6)
    assert (poses[0].keypoints[:, 2] == 2).all()
    shot(window, "workbench_all_label_kinds")

    made = len(user_instances(window))
    assert made == 4
    undo_steps = window.undo_controller.stack.count()
    for _ in range(undo_steps):
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert user_instances(window) == []


def test_behaviour_keys_code_events_that_the_timeline_shows(qtbot, window):
    video = window.state.video_id
    before = len(window.project.events.in_video(video))
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_C)  # "c" codes the demo's groom
    for _ in range(7):
        qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    events = window.project.events.in_video(video)
    assert len(events) == before + 1
    groom = window.project.behaviours.find("groom").id
    (coded,) = [e for e in events if e.behaviour_id == groom and e.start_frame == 5]
    assert coded.end_frame == 12
    timeline = window.panels.timeline
    assert timeline.bar_rect(coded.id) is not None
    shot(window, "workbench_behaviour_coded")
    window.undo_edit()
    window.undo_edit()
    assert len(window.project.events.in_video(video)) == before


def test_stepping_shows_the_right_frame(qtbot, window):
    from core.video import open_video

    video = window.project.videos.get(window.state.video_id)
    with open_video(video.path) as reader:
        expected = reader.read(9)
    shown = []
    window.frame_shown.connect(shown.append)
    for _ in range(4):
        qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.state.frame_index == 9
    qtbot.waitUntil(lambda: shown and shown[-1] == 9)  # frame 9 itself is on the canvas, not 8
    image = window.view._pixmap.pixmap().toImage().convertToFormat(QImage.Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3]
    assert np.array_equal(pixels.reshape(image.height(), image.width(), 3), expected)
