"""Prediction inside the GUI process, on a pool thread (STYLE.md, "Long work": a QRunnable with a
signals object, as superqt's thread_worker does). Used for small requests — the current frame,
the suggested frames — where starting a process that imports torch and loads the model would
take longer than the work. The worker opens its own connection to the project and never
touches a widget: it only emits the job's events, which Qt queues to the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal


class PredictSignals(QObject):
    event = Signal(dict)  # a job event: started, progress, finished or cancelled
    failed = Signal(str)  # why it failed, in words


class PredictWorker(QRunnable):
    """Runs `core.ml.jobs.predict_job.predict_video` once; `stop()` ends it after its batch."""

    def __init__(self, project_folder: Path, video_id: int, model_id: int | None, frames: list[int] | None) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the dialog keeps it (and its signals) until it is done
        self.project_folder, self.video_id, self.model_id, self.frames = project_folder, video_id, model_id, frames
        self.signals = PredictSignals()
        self._cancel = threading.Event()

    def stop(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        from core.ml.jobs.predict_job import predict_video  # torch loads here, off the GUI thread
        from core.project import Project

        try:
            with Project.open(self.project_folder) as project:
                predict_video(
                    project, self.video_id, self.model_id, self.frames,
                    emit=self.signals.event.emit, cancel=self._cancel,
                )  # fmt: skip
        except Exception as error:  # noqa: BLE001 - any failure is reported to the user, in words
            self.signals.failed.emit(str(error) or error.__class__.__name__)
