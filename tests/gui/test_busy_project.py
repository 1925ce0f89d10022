"""While another process holds the project's write lock (a big import writes in one
transaction), an edit in the window is refused within a moment and says why, instead of
freezing the window for a minute and failing with "database is locked"; once the lock is
free the same key works (issue 16, defect 9)."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gui_windows import demo_window  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.mark.slow
def test_an_edit_during_another_writer_s_long_transaction_is_refused_at_once(qtbot, tmp_path):
    window = demo_window(qtbot, tmp_path)
    video = window.state.video_id
    frame = next(f for _, f in window.project.instances.labeled_frames(video))
    window.state.set_frame(frame)
    target = window.project.instances.on_frame(video, frame, source="user")[0]
    window.state.select(target.id)
    steps = window.undo_controller.stack.count()
    importer = sqlite3.connect(window.project.db.engine.url.database, isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")  # another process's import, half way through
    try:
        began = time.monotonic()
        qtbot.keyClick(window, Qt.Key.Key_Delete)
        assert time.monotonic() - began < 5  # not the minute-long busy wait
    finally:
        importer.execute("ROLLBACK")
        importer.close()
    assert "another job is writing this project" in window.message_log.texts()[0]
    assert window.project.instances.get(target.id) is not None and window.undo_controller.stack.count() == steps
    window.state.select(target.id)
    qtbot.keyClick(window, Qt.Key.Key_Delete)  # the lock is free: the same key works
    assert window.undo_controller.stack.count() == steps + 1
    assert target.id not in [i.id for i in window.project.instances.on_frame(video, frame)]
