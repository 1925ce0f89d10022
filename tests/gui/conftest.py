"""GUI tests run offscreen, with Qt's settings in a throwaway test location."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QStandardPaths


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path, monkeypatch):
    QStandardPaths.setTestModeEnabled(True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from gui.shortcuts import settings

    settings().clear()
    yield
    settings().clear()
