"""The training pieces inside the real main window: the Train action (`action_train`, Ctrl+T)
opens the Train dialog, the `training_dock` and the models panel are docked, and a project
switch reaches the controller. Skipped until MainWindow builds its `TrainingController`."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget

from core.demo import WorldConfig
from core.demo.project import create_demo_project
from gui.app import MainWindow
from gui.training.train_dialog import TrainDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    if not hasattr(MainWindow, "train_model"):
        pytest.skip("MainWindow does not build the training controller yet")
    create_demo_project(tmp_path / "demo", WorldConfig(width=320, height=240, seconds=2, n_animals=2, seed=5), labeled_frames=3).close()
    main = MainWindow(tmp_path / "demo")
    qtbot.addWidget(main)
    main.show()
    return main


def test_train_action_opens_the_dialog_and_the_docks_exist(qtbot, window):
    action = window.findChild(QAction, "action_train")
    assert action is not None and action.isEnabled() and action.shortcut().toString() == "Ctrl+T"
    dock = window.findChild(QDockWidget, "training_dock")
    assert dock is not None and dock.widget() is window.training.dock_widget
    assert window.training.project is window.project
    action.trigger()
    dialog = window.findChild(TrainDialog, "train_dialog")
    assert dialog is not None and dialog.isVisible() and dialog.ok_button.isEnabled()
    dialog.reject()
    assert not window.training.runner.is_running
