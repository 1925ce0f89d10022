"""The behaviour dialog checks what is typed: a taken name or key, or a window shortcut, is
refused with the reason; a canvas tool's letter is allowed but the dialog says what it hides."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from gui.behaviour_dialog import BehaviourDialog
from gui.behaviour_keys import reserved_keys, tool_keys

pytestmark = pytest.mark.gui


@pytest.fixture
def dialog(qtbot):
    made = BehaviourDialog(None, ["walk"], ["w"], reserved_keys(), tool_keys())
    qtbot.addWidget(made)
    return made


def ok(dialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_taken_names_and_keys_are_refused_with_the_reason(qtbot, dialog):
    qtbot.keyClicks(dialog.name_edit, "walk")
    assert "already a behaviour" in dialog.problem.text() and not ok(dialog)
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "groom")
    qtbot.keyClicks(dialog.key_edit, "w")
    assert "already codes" in dialog.problem.text() and not ok(dialog)
    dialog.key_edit.clear()
    qtbot.keyClicks(dialog.key_edit, ".")  # Next Frame
    assert "window shortcut" in dialog.problem.text() and not ok(dialog)


def test_a_tool_letter_is_allowed_and_the_dialog_says_what_it_hides(qtbot, dialog):
    qtbot.keyClicks(dialog.name_edit, "groom")
    qtbot.keyClicks(dialog.key_edit, "g")
    assert ok(dialog)
    assert "G is also the shortcut of Box to Mask (GrabCut)" in dialog.problem.text()
    dialog.key_edit.clear()
    qtbot.keyClicks(dialog.key_edit, "c")
    assert ok(dialog) and dialog.problem.text() == ""
