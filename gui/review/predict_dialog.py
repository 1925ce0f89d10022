"""Predict: run a trained model on the current frame, a range of frames, the suggested frames
or the whole video, with a progress bar and Cancel.

Where it runs (DESIGN.md, "Layers"): a range or the whole video is long work and runs in the
background process (`ethoframe predict ... --events-json` through `JobRunner`), so a crash or an
out-of-memory never reaches the labels. The current frame and the suggested frames run on a
pool thread in this process (a `gui.worker.Worker`): a few frames take well under a second once the
model is loaded, while a fresh process pays seconds of imports first, and `ethoframe predict
--frames` takes one range, not a scattered set. `in_process = True` sends every request to the
worker (tests use it with a toy task the child process could not see).

The dialog is non-modal; closing it does not stop a run. `predictions_written` fires after
each written batch so the canvas can redraw the current frame as predictions arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.ml.tasks import registry
from core.project import Project
from core.runtime.log_file import with_details
from core.workflows.review import PredictScope, frames_to_predict
from gui.jobs.job_runner import JobRunner
from gui.state import AppState
from gui.worker import Worker, run_in_background

IN_PROCESS_SCOPES: tuple[PredictScope, ...] = ("frame", "suggested")
log = logging.getLogger(__name__)


def predict_in_own_connection(location, video_id: int, model_id: int, frames: list[int] | None, emit, cancel) -> None:
    """The model's task predicts on a worker thread, with the thread's own connection to the
    project (torch loads there, off the GUI thread)."""
    from core.project.location import open_project

    with open_project(location) as project:
        model = project.models.get(model_id)
        registry.get(model.task).predict(project, model, video_id, frames=frames, emit=emit, cancel=cancel)


class PredictDialog(QDialog):
    predictions_written = Signal()  # a batch of predictions is in the store
    done = Signal(dict)  # the run's last event: finished or cancelled ({"event": "failed", "reason"} on failure)

    def __init__(
        self,
        project: Project,
        state: AppState,
        parent: QWidget | None = None,
        model_id: int | None = None,
        runner_factory: Callable[[], JobRunner] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Predict")
        self.setObjectName("predict_dialog")
        self.project, self.state = project, state
        self.in_process = False
        self._runner_factory = runner_factory or (lambda: JobRunner(self, nice=5))
        self.runner: JobRunner | None = None
        self.worker: Worker | None = None  # kept after its run: Qt may still be leaving run()
        self._worker_running = False
        self._has_suggestions = False
        self.last_event: dict = {}

        self.model_box = QComboBox()
        self.scope_buttons = QButtonGroup(self)
        self.scopes: dict[PredictScope, QRadioButton] = {}
        for scope, text in (("frame", "Current frame"), ("range", "Frames"), ("suggested", "Suggested frames"), ("video", "Whole video")):
            button = QRadioButton(text)
            button.setObjectName(f"scope_{scope}")
            self.scopes[scope] = button
            self.scope_buttons.addButton(button)
        self.first_box, self.last_box = QSpinBox(), QSpinBox()
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.start_button = QPushButton("Predict")
        self.start_button.setObjectName("predict_start")
        self.start_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("predict_cancel")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)

        form = QFormLayout()
        form.addRow("Model", self.model_box)
        scope_column = QVBoxLayout()
        range_row = QHBoxLayout()
        range_row.addWidget(self.scopes["range"])
        range_row.addWidget(self.first_box)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.last_box)
        range_row.addStretch(1)
        for scope in ("frame", "suggested", "video"):
            scope_column.addWidget(self.scopes[scope])
        scope_column.insertLayout(1, range_row)
        form.addRow("Predict on", scope_column)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.model_box.currentIndexChanged.connect(lambda _index: self._set_running(self.is_running))
        close.rejected.connect(self.close)
        self.scopes["frame"].setChecked(True)
        self.refresh(model_id)
        self._set_running(False)

    # --- choices ------------------------------------------------------------------------------------

    def refresh(self, model_id: int | None = None) -> None:
        """Fill the choices from the store: models newest first (`model_id` chosen, else the
        newest), the frame range and the counts shown beside each scope."""
        models = sorted(self.project.models.all(), key=lambda m: m.id, reverse=True)
        self.model_box.clear()
        for model in models:
            self.model_box.addItem(f"#{model.id} {model.name} ({model.task})", model.id)
        self.model_box.setCurrentIndex(max(self.model_box.findData(model_id), 0))
        video_id = self.state.video_id
        count = self.project.videos.get(video_id).frame_count if video_id is not None else 0
        for box in (self.first_box, self.last_box):
            box.setRange(0, max(count - 1, 0))
        self.first_box.setValue(self.state.frame_index)
        self.last_box.setValue(max(count - 1, 0))
        suggested = len(frames_to_predict(self.project, video_id, "suggested")) if video_id is not None else 0
        self.scopes["frame"].setText(f"Current frame ({self.state.frame_index})")
        self.scopes["suggested"].setText(f"Suggested frames ({suggested})")
        self._has_suggestions = suggested > 0
        self.scopes["video"].setText(f"Whole video ({count} frames)")
        if not models:
            self.status.setText("No trained model yet: train one first (Model ▸ Train).")
        elif video_id is None:
            self.status.setText("Choose a video first.")
        else:  # a new run: the last one's result is in the Messages tab, not left here
            self.status.setText("")
            self.progress.setValue(0)
        self._set_running(False)

    @property
    def scope(self) -> PredictScope:
        return next(scope for scope, button in self.scopes.items() if button.isChecked())

    def set_scope(self, scope: PredictScope) -> None:
        self.scopes[scope].setChecked(True)

    @property
    def model_id(self) -> int | None:
        return self.model_box.currentData()

    # --- running -----------------------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        return (self.runner is not None and self.runner.is_running) or self._worker_running

    def start(self) -> None:
        video_id = self.state.video_id
        if self.is_running or video_id is None or self.model_id is None:
            return
        scope = self.scope
        frames = frames_to_predict(
            self.project, video_id, scope, self.state.frame_index, self.first_box.value(), self.last_box.value()
        )
        if frames is not None and not frames:
            self.status.setText("No frames to predict.")
            return
        self.progress.setRange(0, len(frames) if frames is not None else self.project.videos.get(video_id).frame_count)
        self.progress.setValue(0)
        self.status.setText("Loading the model…")
        self.last_event = {}
        if self.in_process or scope in IN_PROCESS_SCOPES:
            self.worker = Worker(predict_in_own_connection, self.project.location, video_id, self.model_id, frames,
                                 with_progress=False, with_events=True, cancellable=True)  # fmt: skip
            self.worker.signals.event.connect(self._event)
            self.worker.signals.failed.connect(lambda error: self._failed(str(error) or error.__class__.__name__))
            self._worker_running = True
            run_in_background(self.worker)
        else:
            self.runner = self._runner_factory()
            self.runner.event.connect(self._event)
            self.runner.failed.connect(self._failed)
            self.runner.cancelled.connect(lambda event: self._ended(event))
            self.runner.finished.connect(lambda event: self._ended(event))
            arguments = ["predict", str(self.project.folder), "--video", str(video_id), "--model", str(self.model_id)]
            if frames is not None:
                arguments += ["--frames", f"{frames[0]}:{frames[-1] + 1}"]  # a range: consecutive frames
            self.runner.start(arguments)
        self._set_running(True)

    def cancel(self) -> None:
        """Stop after the batch being predicted (what is written stays)."""
        if self.runner is not None and self.runner.is_running:
            self.runner.stop()
        if self.worker is not None and self._worker_running:
            self.worker.stop()
        self.status.setText("Stopping after this batch…")

    def _event(self, event: dict) -> None:
        kind = event.get("event")
        self.last_event = event
        if kind == "started":
            self.status.setText(f"Predicting {event.get('frames', '?')} frames with model {event.get('model_id')}…")
        elif kind == "progress":
            self.progress.setMaximum(max(int(event["total"]), 1))
            self.progress.setValue(int(event["done"]))
            self.status.setText(f"{event['done']} / {event['total']} frames ({event.get('frames_per_s', 0):.1f} frames/s)")
            self.predictions_written.emit()
        elif kind in ("finished", "cancelled") and self._worker_running:
            self._ended(event)  # the job runner reports its end itself, once its process is gone

    def _ended(self, event: dict) -> None:
        self._worker_running = False
        if event.get("event") == "finished":
            self.progress.setValue(self.progress.maximum())
            made = f"{event['events']} behaviour events" if "events" in event else f"{event.get('instances', 0)} predictions"
            self.status.setText(f"Done: {made} on {event.get('frames', 0)} frames." if "frames" in event else f"Done: {made}.")
        else:
            self.status.setText(f"Stopped: {event.get('frames', 0)} frames predicted (they are kept).")
        self._set_running(False)
        self.predictions_written.emit()
        self.done.emit(event)

    def _failed(self, reason: str) -> None:
        log.error("prediction failed: %s", reason)
        reason = with_details(reason)
        self._worker_running = False
        self.status.setText(f"Prediction failed: {reason}")
        self._set_running(False)
        self.done.emit({"event": "failed", "reason": reason})

    def _set_running(self, running: bool) -> None:
        ready = self.model_box.count() > 0 and self.state.video_id is not None
        self.start_button.setEnabled(ready and not running)
        self.cancel_button.setEnabled(running)
        whole_video = self._whole_video_task()  # behaviour: a model reads the whole video at once
        for widget in (self.model_box, *self.scopes.values(), self.first_box, self.last_box):
            widget.setEnabled(not running and (widget in (self.model_box, self.scopes["video"]) or not whole_video))
        self.scopes["suggested"].setEnabled(not running and self._has_suggestions and not whole_video)
        if whole_video and not self.scopes["video"].isChecked():
            self.scopes["video"].setChecked(True)

    def _whole_video_task(self) -> bool:
        model = self.project.models.get(self.model_id) if self.model_id is not None else None
        try:
            return model is not None and registry.get(model.task).whole_video
        except ValueError:  # a model of a task this version does not know: the job says so
            return False
