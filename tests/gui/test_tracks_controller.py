"""Proofreading identities in the window: track a video, jump to a suspected swap, swap from
here, merge, split, and undo — checked in the store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.domain import Box, Instance, Track
from core.project import Project
from core.workflows.videos import add_videos
from gui.app import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path, tiny_video):
    """Two animals moving right along two rows over 20 frames, tracked as a and b, but with
    the identities swapped by mistake from frame 10."""
    with Project.create(tmp_path / "p") as project:
        (video,) = add_videos(project, [tiny_video])
        a, b = project.tracks.add(Track("a", "#ff0000")), project.tracks.add(Track("b", "#0000ff"))
        for frame in range(20):
            top, bottom = (a, b) if frame < 10 else (b, a)
            x = 2.0 * frame
            project.instances.add(Instance(video.id, frame, box=Box(x, 2, x + 8, 10), track_id=top.id, source="predicted", score=0.9))
            project.instances.add(Instance(video.id, frame, box=Box(x, 30, x + 8, 38), track_id=bottom.id, source="predicted", score=0.9))
    main = MainWindow(tmp_path / "p")
    qtbot.addWidget(main)
    main.show()
    return main


def top_track(window, frame):
    instances = window.project.instances.on_frame(window.state.video_id, frame)
    return min(instances, key=lambda i: i.box.y1).track_id


def test_next_suspect_finds_the_swap_and_swap_from_here_fixes_it_then_undo(qtbot, window):
    a, b = (t.id for t in window.project.tracks.all())
    suspect = window.tracks.go_to_suspect(+1)
    assert suspect is not None and 9 <= suspect.frame <= 11 and window.state.frame_index == suspect.frame
    window.state.set_frame(10)
    assert window.tracks.swap_from_here(a, b)
    assert [top_track(window, f) for f in (0, 9, 10, 19)] == [a, a, a, a]
    window.undo_edit()
    assert [top_track(window, f) for f in (9, 10)] == [a, b]


def test_merge_and_split_then_undo(qtbot, window):
    a, b = (t.id for t in window.project.tracks.all())
    window.state.set_frame(10)
    top = min(window.project.instances.on_frame(window.state.video_id, 10), key=lambda i: i.box.y1)
    window.state.select(top.id)
    assert window.tracks.split_here()
    assert len(window.project.tracks.all()) == 3
    window.undo_edit()
    assert len(window.project.tracks.all()) == 2
    assert not window.tracks.merge(a, b)  # both are on every frame: refused, nothing changed
    assert window.statusBar().currentMessage()  # the refusal is shown, not swallowed
    assert {t.id for t in window.project.tracks.all()} == {a, b}


def test_track_this_video_runs_on_a_worker(qtbot, window):
    with qtbot.waitSignal(window.tracks.tracked, timeout=30_000):
        window.tracks.track_current_video(max_animals=2)
    frame0 = window.project.instances.on_frame(window.state.video_id, 0)
    frame19 = window.project.instances.on_frame(window.state.video_id, 19)
    top0, top19 = (min(f, key=lambda i: i.box.y1).track_id for f in (frame0, frame19))
    assert top0 == top19 and top0 is not None  # the tracker follows the animal, not the mistake


def test_track_this_video_from_the_menu_tracks_the_video(qtbot, window):
    """The menu's QAction, not the method: `triggered(bool)` once landed in `max_animals`."""
    from PySide6.QtGui import QAction

    action = window.findChild(QAction, "action_track_video")
    failures, summaries = [], []
    window.tracks.message.connect(lambda text: failures.append(text) if "failed" in text else None)
    window.tracks.tracked.connect(summaries.append)
    action.trigger()
    qtbot.waitUntil(lambda: bool(failures or summaries), timeout=30_000)
    assert failures == []
    tops = [top_track(window, f) for f in (0, 9, 10, 19)]
    assert tops[0] is not None and len(set(tops)) == 1  # the swap at frame 10 is gone in the store


def test_track_lanes_show_where_each_track_is_and_follow_a_swap(qtbot, window):
    from PySide6.QtCore import QPoint

    lanes = window.panels.track_lanes
    qtbot.waitUntil(lambda: not lanes.busy)  # the overview is computed on a worker
    assert [name for name, _color, _runs in lanes.rows] == ["a", "b"]
    assert [runs for _name, _color, runs in lanes.rows] == [[(0, 19)], [(0, 19)]]
    assert lanes.suspects  # the mistaken swap at frame 10 is marked
    lanes.resize(400, 60)
    with qtbot.waitSignal(lanes.frame_requested) as seek:
        qtbot.mouseClick(lanes, Qt.MouseButton.LeftButton, pos=QPoint(int(lanes.x_of(15.5)), 10))
    assert seek.args == [15] and window.state.frame_index == 15
    top = min(window.project.instances.on_frame(window.state.video_id, 15), key=lambda i: i.box.y1)
    window.state.select(top.id)
    window.state.set_frame(15)
    assert window.tracks.split_here()  # the top animal's track from frame 15 becomes a new track
    qtbot.waitUntil(lambda: not lanes.busy)
    assert len(lanes.rows) == 3 and lanes.rows[-1][2] == [(15, 19)]


def test_next_suspect_uses_what_the_lanes_show_without_reading_the_video(qtbot, window, monkeypatch):
    import gui.tracks_controller

    lanes = window.panels.track_lanes
    qtbot.waitUntil(lambda: not lanes.busy and bool(lanes.suspects))
    monkeypatch.setattr(gui.tracks_controller, "find_suspects", lambda *a, **k: pytest.fail("read the whole video"))
    window.state.set_frame(0)
    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert window.state.frame_index == lanes.suspects[0].frame
