"""The models panel: the project's trained models (task, when, key metrics, how many labelled
frames they saw, from `core.ml.preview_samples.model_summaries`) and which one predicts. The
choice is the panel's `chosen_model_id` (None: the newest model of the task, as the CLI does)
and is announced with `model_chosen(int)`."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.ml.preview_samples import ModelSummary, model_summaries
from core.project import Project

COLUMNS = ("Model", "Task", "Created", "Key metrics", "Labelled frames")
SHORT = {"val_box_map50": "box mAP50", "val_box_map": "box mAP", "val_mask_map50": "mask mAP50",
         "val_median_px_error": "median px err", "val_oks_map": "OKS mAP", "val_pck_10px": "nodes within 10 px",
         "val_instances_found": "animals found"}  # fmt: skip
SHARES = {"val_pck_10px", "val_instances_found"}  # read as percentages


def metrics_text(metrics: dict[str, float | None]) -> str:
    shown = [f"{SHORT.get(k, k.removeprefix('val_'))} {v:.0%}" if k in SHARES else f"{SHORT.get(k, k.removeprefix('val_'))} {v:.3g}"
             for k, v in metrics.items() if isinstance(v, (int, float))]  # fmt: skip
    return " · ".join(shown) or "no validation score"


class ModelsPanel(QWidget):
    model_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("models")
        self.project: Project | None = None
        self.chosen_model_id: int | None = None
        self.summaries: list[ModelSummary] = []
        self.table = QTableWidget(0, len(COLUMNS), objectName="models_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.use_button = QPushButton("Use for predictions", objectName="models_use", enabled=False)
        self.chosen_label = QLabel(objectName="models_chosen")
        self.chosen_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.use_button)
        layout.addWidget(self.chosen_label)
        self.table.itemSelectionChanged.connect(lambda: self.use_button.setEnabled(self.selected_model_id() is not None))
        self.table.itemDoubleClicked.connect(lambda _item: self.use_selected())
        self.use_button.clicked.connect(self.use_selected)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.chosen_model_id = None
        self.refresh()

    def refresh(self) -> None:
        """Re-read the project's models (after a run finished, or a project opened)."""
        self.summaries = model_summaries(self.project) if self.project is not None else []
        if self.chosen_model_id not in {s.id for s in self.summaries}:
            self.chosen_model_id = None
        self.table.setRowCount(len(self.summaries))
        for row, summary in enumerate(self.summaries):
            frames = "—" if summary.frames_labeled is None else str(summary.frames_labeled)
            created = (summary.created_at or "").replace("T", " ")[:16]
            name = summary.name + ("" if summary.stopped in (None, "finished", "early_stopping", "time") else f" ({summary.stopped})")
            for column, text in enumerate((name, summary.task, created, metrics_text(summary.metrics), frames)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, summary.id)
                if summary.id == self.chosen_model_id:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        self._describe_choice()

    def selected_model_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.summaries[rows[0].row()].id if rows else None

    def use_selected(self) -> None:
        model_id = self.selected_model_id()
        if model_id is not None:
            self.choose(model_id)

    def choose(self, model_id: int) -> None:
        """Make `model_id` the model that predicts."""
        self.chosen_model_id = model_id
        self.refresh()
        self.model_chosen.emit(model_id)

    def _describe_choice(self) -> None:
        if not self.summaries:
            self.chosen_label.setText("No trained model yet.")
        elif self.chosen_model_id is None:
            self.chosen_label.setText("Predictions use the newest model of their task (pick one to change that).")
        else:
            name = next(s.name for s in self.summaries if s.id == self.chosen_model_id)
            self.chosen_label.setText(f"Predictions use {name}.")
