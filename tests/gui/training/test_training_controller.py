"""A tiny real training started from the training controller on the demo project, in a window
holding the training dock and the models panel as the main window does: the plots gain points,
the preview draws predictions, the model appears in the models panel and the run is recorded,
the event loop stays responsive meanwhile (timer drift), and Stop cancels cleanly (then Resume
continues the stopped run). A screenshot of the dock mid-training goes to /tmp/training_dock.png."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from core.demo import WorldConfig
from core.demo.project import create_demo_project
from gui.training import TrainingController

pytestmark = [pytest.mark.gui, pytest.mark.slow]
# Detection on half-size frames with a narrow head: one epoch of 3 steps, well under a minute
# on two busy CPU cores.
TINY = ["--task", "detect", "--epochs", "1", "--option", "scale=0.5", "--option", "min_epoch_frames=6",
        "--option", "fpn_channels=32", "--option", "representation=64", "--device", "cpu"]  # fmt: skip
TIMEOUT_MS = 240_000
SHOT = str(Path(__file__).resolve().parents[2] / "screenshots" / "training_dock.png")


@pytest.fixture
def host(qtbot, tmp_path):
    """A window with the controller's two widgets in docks (what MainWindow does)."""
    config = WorldConfig(width=320, height=240, seconds=2, n_animals=2, seed=5)
    project = create_demo_project(tmp_path / "demo", config, labeled_frames=3)
    window = QMainWindow()
    window.setCentralWidget(QLabel("canvas"))
    controller = TrainingController(window)
    dock = QDockWidget("Training", window)
    dock.setObjectName("training_dock")
    dock.setWidget(controller.dock_widget)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    models = QDockWidget("Models", window)
    models.setWidget(controller.models_panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, models)
    controller.set_project(project)
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    yield window, controller, project
    controller.shutdown()
    project.close()


class Drift:
    """Late ticks of a 10 ms QTimer, in milliseconds: how long the event loop was busy."""

    def __init__(self) -> None:
        self.late: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer(interval=10)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, (now - self._last) * 1000 - 10))
        self._last = now

    def stop(self) -> tuple[float, float]:
        self.timer.stop()
        return float(np.median(self.late)), float(np.percentile(self.late, 99))


def test_tiny_training_from_the_controller(qtbot, host):
    window, controller, project = host
    dock = controller.dock_widget
    drift = Drift()
    with qtbot.waitSignal(controller.runner.event, timeout=TIMEOUT_MS, check_params_cb=lambda e: e["event"] == "step"):
        assert controller.start_training(TINY)
    assert dock.stop_button.isEnabled() and not dock.again_button.isEnabled()
    qtbot.waitUntil(lambda: dock.point_count() >= 2, timeout=TIMEOUT_MS)
    Path(SHOT).parent.mkdir(exist_ok=True)
    window.grab().save(str(Path(SHOT).with_name("training_window.png")))
    dock.grab().save(SHOT)
    with qtbot.waitSignal(controller.runner.ended, timeout=TIMEOUT_MS):
        pass
    median, p99 = drift.stop()
    print(f"timer drift while training: median {median:.1f} ms, p99 {p99:.1f} ms over {len(drift.late)} ticks")
    assert len(drift.late) > 100 and p99 < 250

    assert dock.point_count() >= 3  # one point per step
    assert dock.error.isHidden(), dock.error.text()
    assert "finished" in dock.status.text()
    (run,) = project.training_runs.all()
    assert run.status == "finished" and run.model_id is not None
    assert run.label_snapshot["frames_labeled"] == 3
    table = controller.models_panel.table
    assert table.rowCount() == 1 and table.item(0, 1).text() == "detect" and table.item(0, 4).text() == "3"
    qtbot.waitUntil(lambda: len(dock.preview.labels) >= 1, timeout=20000)  # validation frame decoded and drawn
    dock.grab().save("/tmp/training_dock_finished.png")
    assert dock.again_button.isEnabled() and not dock.stop_button.isEnabled()
    thumbnail = dock.preview.labels[0]
    qtbot.mouseClick(thumbnail, Qt.MouseButton.LeftButton)  # too small to judge: a click enlarges it
    assert thumbnail.enlarged.isVisible()
    assert thumbnail.enlarged.findChild(QLabel, "enlarged_preview").pixmap().width() >= 4 * thumbnail.pixmap().width()
    thumbnail.enlarged.close()

    chosen = []
    controller.model_chosen.connect(chosen.append)
    table.selectRow(0)
    controller.models_panel.use_button.click()
    assert chosen == [run.model_id] and controller.chosen_model_id == run.model_id


def test_stop_cancels_cleanly_then_resume_continues(qtbot, host):
    _window, controller, project = host
    dock = controller.dock_widget
    with qtbot.waitSignal(controller.runner.event, timeout=TIMEOUT_MS, check_params_cb=lambda e: e["event"] == "step"):
        controller.start_training(TINY)
    process = controller.runner.process
    outcome = []
    controller.runner.cancelled.connect(lambda e: outcome.append(("cancelled", e)))
    controller.runner.finished.connect(lambda e: outcome.append(("finished", e)))
    controller.runner.failed.connect(lambda r: outcome.append(("failed", r)))
    with qtbot.waitSignal(controller.runner.ended, timeout=TIMEOUT_MS):
        dock.stop_button.click()
    assert [kind for kind, _ in outcome] in (["cancelled"], ["finished"])  # it may end its only epoch first
    assert process is not None and not controller.runner.is_running
    (run,) = project.training_runs.all()
    assert run.status in ("cancelled", "finished")
    print(f"stopped run ended {run.status}")
    if run.status != "cancelled":
        return
    assert dock.resume_button.isEnabled()
    with qtbot.waitSignal(controller.runner.ended, timeout=TIMEOUT_MS):
        dock.resume_button.click()
        assert controller.runner.command[-3:-1] == ["--resume", str(run.id)]
    assert project.training_runs.get(run.id).status == "finished"
