"""The training dock's widget: live pyqtgraph plots of a training job's events (loss and its
parts per step, loss and validation metrics per epoch, learning rate), elapsed time and ETA,
preview predictions drawn over validation frames as they improve, Stop / Resume / Train again
buttons, and a failure's reason. It only shows what it is given (`begin`, `handle_event`,
`show_outcome`); the `TrainingController` runs the job and decides what the buttons do."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.domain.palette import colour_for
from core.ml.data.frame_store import FrameStore
from core.project import Project
from gui.training.annotated_image import ThumbnailGrid
from gui.worker import Background

REDRAW_MS = 150  # steps arrive up to hundreds a second on a GPU: redraw at most this often
FrameKey = tuple[int, int]


def clock(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "—"
    seconds = round(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class TrainingDockWidget(QWidget):
    stop_requested = Signal()
    resume_requested = Signal()
    again_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("training")
        self.project: Project | None = None
        self.background = Background(self)
        self._frames: dict[FrameKey, np.ndarray] = {}
        self._pending_preview: dict[str, Any] | None = None
        self._redraw_timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw)

        self.status = QLabel("No training yet: Model ▸ Train… (Ctrl+T)", objectName="training_status")
        self.status.setWordWrap(True)  # the run's verdict is a sentence or two
        self.times = QLabel("", objectName="training_times")
        self.error = QLabel("", objectName="training_error")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        self.stop_button = QPushButton("Stop", objectName="training_stop", enabled=False)
        self.resume_button = QPushButton("Resume", objectName="training_resume", enabled=False)
        self.again_button = QPushButton("Train again with more labels", objectName="training_again", enabled=False)
        self.stop_button.clicked.connect(self.stop_requested)
        self.resume_button.clicked.connect(self.resume_requested)
        self.again_button.clicked.connect(self.again_requested)
        buttons = QHBoxLayout()
        for widget in (self.stop_button, self.resume_button, self.again_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("training_plots")
        self.plots.setMinimumHeight(180)  # both rows: the curves and, under them, their legends
        self.loss_plot = self._plot(0, 0, "Training loss (per step)", "step")
        self.epoch_plot = self._plot(0, 1, "Loss per epoch", "epoch")
        self.metric_plot = self._plot(0, 2, "Validation metrics", "epoch")
        self.lr_plot = self._plot(0, 3, "Learning rate", "step")
        self.plots.ci.layout.setRowStretchFactor(0, 4)  # the curves get the height, the legends what they need
        self.plots.ci.layout.setRowStretchFactor(1, 1)
        self.preview = ThumbnailGrid(columns=2, side=120)
        self.preview.setObjectName("training_preview")
        self.preview.show_message("preview predictions on validation frames appear after each epoch")
        preview_box = QGroupBox("Predictions on validation frames")
        self.preview_caption = QLabel("")
        column = QVBoxLayout(preview_box)
        column.addWidget(self.preview_caption)
        column.addWidget(self.preview, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.plots)
        splitter.addWidget(preview_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        header = QHBoxLayout()
        header.addWidget(self.status, 1)
        header.addWidget(self.times)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(splitter, 1)
        self.reset()

    def sizeHint(self) -> QSize:
        # A bottom dock shares its height with the timeline: ask for little, the plots stretch.
        return QSize(1000, 300)

    def _plot(self, row: int, column: int, title: str, x_label: str) -> pg.PlotItem:
        """A plot, with its legend in the row under it: never over the curves."""
        plot = self.plots.addPlot(row=row, col=column, title=title)
        plot.setLabel("bottom", x_label)
        plot.showGrid(x=True, y=True, alpha=0.2)
        legend = pg.LegendItem(labelTextSize="8pt", colCount=2)
        self.plots.addItem(legend, row=row + 1, col=column)
        plot.legend = legend  # PlotItem.addItem files named curves here
        return plot

    # --- state ----------------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self._frames.clear()

    def reset(self) -> None:
        """Empty plots for a new run."""
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.parts: dict[str, list[float]] = {}
        self.rates: list[float] = []
        self.epochs: list[int] = []
        self.epoch_losses: dict[str, list[float]] = {}
        self.metrics: dict[str, list[float]] = {}
        self._curves: dict[tuple[int, str], pg.PlotDataItem] = {}
        for plot in (self.loss_plot, self.epoch_plot, self.metric_plot, self.lr_plot):
            plot.clear()
            if plot.legend is not None:
                plot.legend.clear()
        self._began = time.monotonic()
        self._elapsed_base, self._eta, self._eta_at, self._budget = 0.0, None, None, None
        self._speed: float | None = None

    def begin(self, description: str) -> None:
        """A job is starting: clear the plots, show what it is, enable Stop only."""
        self.reset()
        self.error.hide()
        self.status.setText(description)
        self.times.setText("starting…")
        self.set_actions(stop=True, resume=False, again=False)

    def set_actions(self, stop: bool, resume: bool, again: bool) -> None:
        self.stop_button.setEnabled(stop)
        self.resume_button.setEnabled(resume)
        self.again_button.setEnabled(again)

    def show_outcome(self, text: str, failure: str | None = None) -> None:
        self.status.setText(text)
        if failure:
            self.error.setText(failure)
            self.error.show()
        self._update_times(final=True)

    # --- events --------------------------------------------------------------------------------

    def handle_event(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "started":
            self._began = time.monotonic()
            minutes = (event.get("config") or {}).get("minutes")
            self._budget = minutes * 60.0 if minutes else None
            resumed = event.get("resumed_epoch") or 0
            self.status.setText(f"training {event.get('task')} on {event.get('device')}" + (f" (resumed at epoch {resumed + 1})" if resumed else ""))
        elif kind == "step":
            self.steps.append(int(event["step"]))
            self.losses.append(_number(event.get("loss")))
            self.rates.append(_number(event.get("lr")))
            for name, value in (event.get("parts") or {}).items():
                self.parts.setdefault(name, [math.nan] * (len(self.steps) - 1)).append(_number(value))
            self._speed = event.get("images_per_s")
            self._schedule()
        elif kind == "epoch":
            self.epochs.append(int(event["epoch"]) + 1)
            metrics = event.get("metrics") or {}
            losses = {"train loss": event.get("train_loss"), **({"val loss": metrics["val_loss"]} if "val_loss" in metrics else {})}
            _append(self.epoch_losses, losses, len(self.epochs))
            _append(self.metrics, {k: v for k, v in metrics.items() if k != "val_loss" and _is_number(v)}, len(self.epochs))
            self._elapsed_base, self._began = float(event.get("elapsed_s") or 0.0), time.monotonic()
            self._eta, self._eta_at = event.get("eta_s"), time.monotonic()
            self._schedule()
        elif kind == "preview":
            self._show_preview(event)
        elif kind == "note":
            self.status.setText(str(event.get("message")))
        self._update_times()

    def _schedule(self) -> None:
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def _curve(self, plot: pg.PlotItem, name: str, index: int, width: float = 1.0) -> pg.PlotDataItem:
        key = (id(plot), name)
        if key not in self._curves:
            pen = pg.mkPen(colour_for(index), width=width)
            symbol = "o" if plot in (self.epoch_plot, self.metric_plot) else None
            self._curves[key] = plot.plot([], [], pen=pen, name=name, symbol=symbol, symbolSize=5, connect="finite",
                                          symbolBrush=colour_for(index))  # fmt: skip
        return self._curves[key]

    def _redraw(self) -> None:
        steps = np.asarray(self.steps, float)
        loss = self._curve(self.loss_plot, "loss", 0, 2)
        loss.setData(steps, np.asarray(self.losses, float))
        loss.setSymbol("o" if len(steps) < 100 else None)  # a few steps are dots, not yet a line
        loss.setSymbolSize(4)
        for n, (name, values) in enumerate(self.parts.items(), start=1):
            self._curve(self.loss_plot, name, n).setData(steps[: len(values)], np.asarray(values, float))
        self._curve(self.lr_plot, "lr", 2).setData(steps, np.asarray(self.rates, float))
        epochs = np.asarray(self.epochs, float)
        for n, (name, values) in enumerate(self.epoch_losses.items()):
            self._curve(self.epoch_plot, name, n, 2).setData(epochs, np.asarray(values, float))
        for n, (name, values) in enumerate(self.metrics.items()):
            self._curve(self.metric_plot, name.removeprefix("val_"), n, 2).setData(epochs, np.asarray(values, float))

    def point_count(self) -> int:
        """How many step points the loss curve holds (for tests and status)."""
        curve = self._curves.get((id(self.loss_plot), "loss"))
        return 0 if curve is None or curve.xData is None else len(curve.xData)

    def _update_times(self, final: bool = False) -> None:
        elapsed = self._elapsed_base + (time.monotonic() - self._began)
        if self._eta is not None:
            eta = self._eta - (time.monotonic() - self._eta_at)
        elif self._budget is not None:
            eta = self._budget - elapsed
        else:
            eta = None
        speed = f" · {self._speed:.1f} img/s" if self._speed else ""
        self.times.setText(f"elapsed {clock(elapsed)}" + ("" if final else f" · ETA {clock(eta)}{speed}"))

    # --- preview predictions -----------------------------------------------------------------------

    def _show_preview(self, event: dict[str, Any]) -> None:
        frames = event.get("frames") or []
        if not frames or self.project is None:
            return
        self._pending_preview = event
        missing = [(int(f["video_id"]), int(f["frame_index"])) for f in frames]
        missing = [key for key in missing if key not in self._frames]
        if not missing:
            self._draw_preview()
            return
        project = self.project

        def load() -> dict[FrameKey, np.ndarray]:
            store = FrameStore(project)
            store.load(missing)
            return {key: store[key] for key in missing}

        self.background.run(load, self._frames_loaded, lambda message: self.preview.show_message(f"cannot read the frames: {message}"),
                            key="frames")  # fmt: skip

    def _frames_loaded(self, frames: dict[FrameKey, np.ndarray]) -> None:
        self._frames.update(frames)
        self._draw_preview()

    def _draw_preview(self) -> None:
        event = self._pending_preview
        if event is None:
            return
        samples, captions = [], []
        for frame in event["frames"]:
            key = (int(frame["video_id"]), int(frame["frame_index"]))
            if key in self._frames:
                instances = [dict(i, edges=self._edges(len(i.get("keypoints") or []))) for i in frame.get("instances") or []]
                samples.append((self._frames[key], instances))
                captions.append(f"video {key[0]}, frame {key[1]}: {len(instances)} predicted")
        self.preview_caption.setText(f"epoch {int(event.get('epoch', 0)) + 1}")
        self.preview.show_samples(samples, predicted=True, captions=captions)

    def _edges(self, n_nodes: int) -> list[list[int]]:
        """A skeleton's edges for drawing pose predictions (the project's skeleton with that many nodes)."""
        if not n_nodes or self.project is None:
            return []
        skeleton = next((s for s in self.project.skeletons.all() if len(s.nodes) == n_nodes), None)
        return [list(e) for e in skeleton.edges] if skeleton is not None else []


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: Any) -> float:
    return float(value) if _is_number(value) else math.nan


def _append(series: dict[str, list[float]], values: dict[str, Any], length: int) -> None:
    """Append one epoch's values; a series that starts late is padded with NaN."""
    for name, value in values.items():
        series.setdefault(name, [math.nan] * (length - 1)).append(_number(value))
    for values_ in series.values():
        values_.extend([math.nan] * (length - len(values_)))
