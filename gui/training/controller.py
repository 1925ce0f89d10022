"""What the main window's Train action drives: the Train dialog, the background training
process (`JobRunner` running `ethoframe train`), the training dock's widget and the models
panel. The window only places the two widgets in docks and calls `open_train_dialog`,
`set_project` and `shutdown`; everything else (stop, resume, train again, refreshing the
models when a run ends) happens here."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDockWidget, QWidget

from core.domain import TrainingRun
from core.project import Project
from core.runtime.log_file import with_details
from gui.jobs import JobRunner
from gui.training.models_panel import ModelsPanel
from gui.training.train_dialog import TrainDialog
from gui.training.training_dock import TrainingDockWidget

log = logging.getLogger(__name__)


def resume_arguments(run: TrainingRun) -> list[str]:
    """`ethoframe train` arguments that continue `run` with the settings it was started with."""
    options = dict((run.config or {}).get("options") or {})
    train = (run.config or {}).get("train") or {}
    args = ["--task", run.task, "--backbone", str(options.pop("backbone", "efficientnet_lite0"))]
    if options.get("batch_size") is not None:
        args += ["--batch-size", str(options.pop("batch_size"))]
    if train.get("minutes"):
        args += ["--minutes", f"{train['minutes']:g}"]
    elif train.get("epochs"):
        args += ["--epochs", str(train["epochs"])]
    for key, value in options.items():
        args += ["--option", f"{key}={_json(value)}"]
    return args + ["--resume", str(run.id)]


def _json(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value)


class TrainingController(QObject):
    message = Signal(str)  # a line for the status bar
    model_trained = Signal(int)  # a new model is in the project
    running_changed = Signal(bool)

    def __init__(self, window: QWidget, nice: int = 5) -> None:
        super().__init__(window)
        self.window = window
        self.project: Project | None = None
        self.runner = JobRunner(self, nice=nice)
        self.dock_widget = TrainingDockWidget()
        self.models_panel = ModelsPanel()
        self.dialog: TrainDialog | None = None
        self.last_arguments: list[str] | None = None  # without the project folder and --resume
        self.run_id: int | None = None
        self.runner.event.connect(self._event)
        self.runner.finished.connect(self._finished)
        self.runner.cancelled.connect(self._cancelled)
        self.runner.failed.connect(self._failed)
        self.runner.ended.connect(self._ended)
        self.dock_widget.stop_requested.connect(self.stop)
        self.dock_widget.resume_requested.connect(self.resume)
        self.dock_widget.again_requested.connect(self.train_again)

    @property
    def chosen_model_id(self) -> int | None:
        """The model the user picked to predict (None: the newest)."""
        return self.models_panel.chosen_model_id

    @property
    def model_chosen(self):
        return self.models_panel.model_chosen

    def set_project(self, project: Project | None) -> None:
        """A project opened (or closed): a job on the previous one is stopped cleanly."""
        if self.runner.is_running:
            self.runner.shutdown()
        self.project = project
        self.last_arguments, self.run_id = None, None
        self.dock_widget.set_project(project)
        self.models_panel.set_project(project)
        self._update_buttons()

    def shutdown(self) -> None:
        """The window is closing: stop a running job cleanly (it saves its checkpoint)."""
        self.runner.shutdown()

    # --- actions ------------------------------------------------------------------------------

    def open_train_dialog(self) -> TrainDialog | None:
        """Show the Train dialog (non-modal); OK starts training with its settings."""
        if self.project is None:
            return None
        if self.runner.is_running:
            self.message.emit("a training job is already running: stop it first")
            self._show_dock()
            return None
        newest = self.project.models.newest()
        self.dialog = TrainDialog(self.project, self.window, last_task=newest.task if newest else None)
        self.dialog.accepted.connect(lambda: self.start_training(self.dialog.arguments()))
        self.dialog.open()
        return self.dialog

    def start_training(self, arguments: list[str], resume_run: int | None = None) -> bool:
        """Start `ethoframe train PROJECT <arguments>` (from the dialog, or a script)."""
        if self.project is None or self.runner.is_running:
            return False
        command = ["train", str(self.project.folder), *arguments]
        if resume_run is not None:
            command += ["--resume", str(resume_run)]
        else:
            self.run_id = None
        self.last_arguments = list(arguments)
        task = arguments[arguments.index("--task") + 1] if "--task" in arguments else "?"
        self.dock_widget.begin(f"{'resuming' if resume_run else 'starting'} {task} training…")
        self._show_dock()
        self.runner.start(command)
        self.running_changed.emit(True)
        return True

    def stop(self) -> None:
        if self.runner.is_running:
            self.runner.stop()
            self.dock_widget.status.setText("stopping after the current step…")
            self.dock_widget.set_actions(stop=False, resume=False, again=False)

    def resume(self) -> bool:
        """Continue the last stopped run of this project."""
        run = self._resumable_run()
        if run is None:
            self.message.emit("no stopped training run to resume")
            return False
        arguments = self.last_arguments if self.last_arguments and self.run_id == run.id else resume_arguments(run)[:-2]
        return self.start_training(arguments, resume_run=run.id)

    def train_again(self) -> bool:
        """A new run with the last settings, on the labels as they are now."""
        if not self.last_arguments:
            return False
        return self.start_training(self.last_arguments)

    # --- the job's events -----------------------------------------------------------------------

    def _event(self, event: dict[str, Any]) -> None:
        if event.get("event") == "run":
            self.run_id = int(event["run_id"])
        self.dock_widget.handle_event(event)

    def _finished(self, event: dict[str, Any]) -> None:
        model_id = event.get("model_id")
        stopped = event.get("stopped")
        why = {"time": " (time budget spent)", "early_stopping": " (no more improvement: stopped early)"}.get(stopped, "")
        verdict = event.get("verdict")
        ready = event.get("ready", True)  # a model that is not ready yet says so in the error line, in red
        self.dock_widget.show_outcome(f"finished{why}: model {model_id} saved" + (f"\n{verdict}" if verdict and ready else ""),
                                      failure=None if ready else verdict)  # fmt: skip
        self.models_panel.refresh()
        if model_id is not None:
            self.model_trained.emit(int(model_id))
            self.message.emit(f"training finished: model {model_id}")

    def _cancelled(self, event: dict[str, Any]) -> None:
        model_id = event.get("model_id")
        saved = f"; model {model_id} saved from the best epoch" if model_id is not None else ""
        self.dock_widget.show_outcome(f"stopped{saved}. Resume continues from the last checkpoint.")
        self.models_panel.refresh()
        if model_id is not None:
            self.model_trained.emit(int(model_id))

    def _failed(self, reason: str) -> None:
        log.error("training failed: %s", reason)
        self.dock_widget.show_outcome("training failed", failure=with_details(reason))
        self.message.emit(with_details("training failed: " + reason.splitlines()[0] if reason else "training failed"))
        self.models_panel.refresh()

    def _ended(self) -> None:
        self._update_buttons()
        self.running_changed.emit(False)

    def _resumable_run(self) -> TrainingRun | None:
        if self.project is None:
            return None
        runs = [r for r in self.project.training_runs.all() if r.status == "cancelled"]
        if self.run_id is not None:
            runs = [r for r in runs if r.id == self.run_id] or runs
        return runs[-1] if runs else None

    def _update_buttons(self) -> None:
        running = self.runner.is_running
        resumable = not running and self._resumable_run() is not None
        self.dock_widget.set_actions(stop=running, resume=resumable, again=not running and bool(self.last_arguments))

    def _show_dock(self) -> None:
        dock = self.dock_widget.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is not None:
            dock.show()
            dock.raise_()
