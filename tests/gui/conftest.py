"""GUI tests run offscreen, with Qt's settings in a throwaway test location."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QStandardPaths, QThreadPool


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path, monkeypatch):
    QStandardPaths.setTestModeEnabled(True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from gui.shortcuts import settings

    settings().clear()
    yield
    settings().clear()


@pytest.fixture(autouse=True)
def garbage_collected_on_the_gui_thread(qapp):
    """A test's windows and dialogs that ended in reference cycles are destroyed here, on the
    GUI thread, once its workers are done: left for the cycle collector, they could be destroyed
    on a pool thread that happens to allocate, and Qt deadlocks there (seen once, in
    test_undo_refusals after test_tracks_controller). The app collects on the GUI thread too
    (`gui.launch.collect_garbage_on_the_gui_thread`). What survives a collection (torch, Qt, the
    modules, module fixtures) is then frozen out of later scans: a collection takes ~10 ms, not
    ~0.2 s (28 s over the quick loop's GUI tests)."""
    yield
    QThreadPool.globalInstance().waitForDone(10000)
    gc.collect()
    gc.freeze()
