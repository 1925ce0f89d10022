"""The behaviour model's per-frame probabilities under the timeline: one strip per behaviour
(darker where the model is surer) for the chosen subject, with the bouts that the current
threshold and minimum duration would make drawn beneath. Moving a threshold re-derives the
bouts at once from the stored probabilities (no model run); Apply writes them as the video's
predicted events."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget

from core.ml.tasks import registry
from core.ml.tasks.behaviour.jobs import apply_thresholds, load_probabilities, predicted_models
from core.ml.tasks.behaviour.store import VideoProbabilities
from core.project import Project
from gui.state import AppState

LABEL_WIDTH = 130
ROW = 18


class ProbabilityStrips(QWidget):
    """The painted strips; `BehaviourStripWidget` owns the data and the controls."""

    frame_requested = Signal(int)
    row_clicked = Signal(int)

    def __init__(self, owner: BehaviourStripWidget) -> None:
        super().__init__(owner)
        self.owner = owner
        self.setMinimumHeight(2 * ROW)

    def x_of(self, frame: float) -> float:
        n = self.owner.frame_count
        return LABEL_WIDTH + max(self.width() - LABEL_WIDTH, 1) * frame / max(n, 1)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        result, row = self.owner.result, self.owner.subject_row
        if result is None:
            painter.drawText(8, ROW, "no behaviour predictions for this video (Model > Predict with a behaviour model)")
            return
        width = max(self.width() - LABEL_WIDTH, 1)
        probabilities = result.probabilities[row]  # (n_frames, n_behaviours)
        columns = np.minimum((np.arange(width) * probabilities.shape[0] / width).astype(int), probabilities.shape[0] - 1)
        bouts = result.bouts(row, self.owner.thresholds, self.owner.durations)
        for k, name in enumerate(result.names):
            top = k * ROW
            color = QColor(self.owner.colors.get(result.behaviour_ids[k], "#4363d8"))
            if k == self.owner.selected:
                painter.fillRect(QRectF(0, top, LABEL_WIDTH, ROW), QColor("#e8eefc"))
            painter.setPen(QColor("#202020"))
            painter.drawText(QRectF(4, top, LABEL_WIDTH - 8, ROW), Qt.AlignmentFlag.AlignVCenter, name)
            alpha = (np.clip(probabilities[columns, k], 0, 1) * 255).astype(np.uint8)
            rgba = np.zeros((1, width, 4), dtype=np.uint8)
            rgba[..., 0], rgba[..., 1], rgba[..., 2], rgba[..., 3] = color.red(), color.green(), color.blue(), alpha
            image = QImage(rgba.data, width, 1, width * 4, QImage.Format.Format_RGBA8888)
            painter.drawImage(QRectF(LABEL_WIDTH, top + 1, width, ROW - 7), image)
            for bout in (b for b in bouts if b.behaviour == k):
                x0, x1 = self.x_of(bout.start), self.x_of(bout.end + 1)
                painter.fillRect(QRectF(x0, top + ROW - 5, max(x1 - x0, 1.0), 3), color.darker(130))
        x = self.x_of(self.owner.state.frame_index + 0.5)
        painter.setPen(QColor("#000000"))
        painter.drawLine(int(x), 0, int(x), self.height())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        x, y = event.position().x(), event.position().y()
        if x < LABEL_WIDTH:
            self.row_clicked.emit(int(y // ROW))
        else:
            frame = int((x - LABEL_WIDTH) / max(self.width() - LABEL_WIDTH, 1) * self.owner.frame_count)
            self.frame_requested.emit(min(max(frame, 0), self.owner.frame_count - 1))


class BehaviourStripWidget(QWidget):
    frame_requested = Signal(int)
    applied = Signal(int)  # how many predicted events were written

    def __init__(self, project: Project, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("behaviour_strips")
        self.project, self.state = project, state
        self.result: VideoProbabilities | None = None
        self.subject_row = 0
        self.selected = 0
        self.thresholds: dict[int, float] = {}
        self.durations: dict[int, int] = {}
        self.colors: dict[int, str] = {}
        self.frame_count = 1
        self.task = "behaviour"  # whose probabilities are shown: the newest model of this task (or of any that predicted)
        self.model_box = QComboBox()  # one entry per task whose newest model predicted the video ("behaviour", "classify")
        self.model_box.setObjectName("behaviour_strip_model")
        self.model_label = QLabel("Model")
        self.subject_box = QComboBox()
        self.threshold = QSlider(Qt.Orientation.Horizontal)
        self.threshold.setRange(0, 100)
        self.threshold.setMinimumWidth(140)
        self.threshold_label = QLabel()
        self.min_duration = QSpinBox()
        self.min_duration.setRange(1, 10_000)
        self.min_duration.setSuffix(" frames")
        self.apply_button = QPushButton("Apply to the timeline")
        self.strips = ProbabilityStrips(self)
        controls = QHBoxLayout()
        for widget in (self.model_label, self.model_box, QLabel("Subject"), self.subject_box, QLabel("Threshold"), self.threshold, self.threshold_label,
                       QLabel("Min. duration"), self.min_duration, self.apply_button):  # fmt: skip
            controls.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.strips, 1)
        self.subject_box.currentIndexChanged.connect(self._subject_chosen)
        self.model_box.currentIndexChanged.connect(self._model_chosen)
        self.threshold.valueChanged.connect(self._threshold_moved)
        self.min_duration.valueChanged.connect(self._duration_changed)
        self.apply_button.clicked.connect(self.apply)
        self.strips.row_clicked.connect(self.select_row)
        self.strips.frame_requested.connect(self.frame_requested)
        state.video_changed.connect(lambda _video: self.refresh())
        state.frame_changed.connect(lambda _frame: self.strips.update())
        self.refresh()

    def refresh(self) -> None:
        """Load the probabilities for the current video of the newest model of the chosen task
        (behaviour first), or of the first task whose newest model predicted it, if any."""
        video_id = self.state.video_id
        models = predicted_models(self.project, video_id) if video_id is not None else []
        chosen = next((m for m in models if m.task == self.task), models[0] if models else None)
        self.model_box.blockSignals(True)
        self.model_box.clear()
        for model in models:
            self.model_box.addItem(f"{registry.get(model.task).display_name}: {model.name}", model.task)
        if chosen is not None:
            self.model_box.setCurrentIndex(models.index(chosen))
        self.model_box.blockSignals(False)
        for widget in (self.model_label, self.model_box):
            widget.setVisible(len(models) > 1)
        self.result = load_probabilities(self.project, video_id, chosen.id) if chosen is not None else None
        self.colors = {b.id: b.color for b in self.project.behaviours.all()}
        names = {t.id: t.name for t in self.project.tracks.all()}
        self.subject_box.blockSignals(True)
        self.subject_box.clear()
        if self.result is not None:
            self.frame_count = self.result.probabilities.shape[1]
            for subject in self.result.subjects:
                self.subject_box.addItem("whole frame" if subject is None else names.get(subject, f"track {subject}"))
        self.subject_box.blockSignals(False)
        self.subject_row, self.thresholds, self.durations = 0, {}, {}
        for widget in (self.threshold, self.min_duration, self.apply_button, self.subject_box):
            widget.setEnabled(self.result is not None)
        self.strips.setMinimumHeight(ROW * max(len(self.result.names) if self.result else 1, 2))
        if self.parentWidget() is not None:  # never a top-level window of its own
            self.setVisible(self.result is not None)  # shown once a behaviour model predicted this video
        self.select_row(0)

    def select_row(self, row: int) -> None:
        if self.result is None or not 0 <= row < len(self.result.names):
            self.strips.update()
            return
        self.selected = row
        limits, durations = self.result.thresholds(self.thresholds), self.result.durations(self.durations)
        for widget, value in ((self.threshold, int(round(limits[row] * 100))), (self.min_duration, int(durations[row]))):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self._show_threshold(limits[row])
        self.strips.update()

    def _model_chosen(self, index: int) -> None:
        task = self.model_box.itemData(index)
        if task and task != self.task:
            self.task = task
            self.refresh()

    def _subject_chosen(self, index: int) -> None:
        self.subject_row = max(index, 0)
        self.strips.update()

    def _threshold_moved(self, value: int) -> None:
        if self.result is not None:
            self.thresholds[self.result.behaviour_ids[self.selected]] = value / 100
            self._show_threshold(value / 100)
            self.strips.update()

    def _show_threshold(self, value: float) -> None:
        """The threshold in words: for mutually exclusive behaviours 0 means "the most likely one wins"."""
        name = self.result.names[self.selected]
        exclusive = self.result.exclusive and self.selected < self.result.n_exclusive
        self.threshold_label.setText(f"most likely ({name})" if exclusive and value <= 0 else f"{value:.2f} ({name})")

    def _duration_changed(self, value: int) -> None:
        if self.result is not None:
            self.durations[self.result.behaviour_ids[self.selected]] = value
            self.strips.update()

    def bout_count(self) -> int:
        """How many bouts the current settings make for the chosen subject (what is drawn)."""
        return 0 if self.result is None else len(self.result.bouts(self.subject_row, self.thresholds, self.durations))

    def apply(self) -> int:
        """Write the bouts of every subject as the video's predicted events."""
        if self.result is None:
            return 0
        written = apply_thresholds(self.project, self.state.video_id, self.thresholds, self.durations, self.result.model_id)
        self.applied.emit(written)
        return written
