"""Messages stay: a refusal shown in the status bar for seconds is kept in the Messages tab,
failures in red, newest first."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gui_windows import demo_window  # noqa: E402

pytestmark = pytest.mark.gui


def test_a_refusal_is_kept_in_the_messages_tab(qtbot, tmp_path):
    window = demo_window(qtbot, tmp_path)
    window.state.set_frame(0)
    qtbot.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    log = window.message_log
    assert log.texts()[0] == "no labelled frame comes before this one"
    assert log.item(0).foreground().color().name() == "#c62828"
    window.show_message("exported to labels.json")
    assert log.texts()[:2] == ["exported to labels.json", "no labelled frame comes before this one"]
    assert window.docks["Messages"].toggleViewAction().isChecked()
