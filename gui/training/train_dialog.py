"""The Train dialog: task, backbone, how long, advanced task options, and a grid of augmented
training samples with their labels drawn (computed by `core.ml.preview_samples` off the GUI
thread). Defaults are chosen so one click on OK trains something sensible; `arguments()` gives
the `ethoframe train` command line the dialog stands for."""

from __future__ import annotations

import dataclasses

from typing import Any

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,  # fmt: skip
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.ml.backbones import BACKBONES, OFFLINE_BACKBONE
from core.ml.options import parse_options as parse_option_pairs
from core.ml.preview_samples import augmented_samples, task_availability
from core.ml.tasks import registry
from core.project import Project
from gui.training.annotated_image import ThumbnailGrid
from gui.worker import Background

PRESETS = (("Quick (2 min)", 2.0), ("Standard (10 min)", 10.0), ("Thorough (30 min)", 30.0))
CUSTOM = "Custom"
PREVIEW_SAMPLES = 6


def parse_options(text: str) -> dict[str, Any]:
    """`key=value` pairs separated by spaces (values as JSON when they parse: numbers, true,
    {"hflip": 0}); raises ValueError on a pair without "="."""
    return parse_option_pairs(_pairs(text))

def _pairs(text: str) -> list[str]:
    """Whitespace-separated pairs; spaces inside quotes or JSON brackets do not split, and
    quotes are kept (JSON values need them)."""
    pairs, current, depth, quote = [], "", 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char.isspace() and depth == 0:
            pairs, current = pairs + [current] if current else pairs, ""
            continue
        current += char
    return pairs + [current] if current else pairs


class TrainDialog(QDialog):
    """`TrainDialog(project, parent, last_task=None)`; after `exec()` accepted, `arguments()`."""

    def __init__(self, project: Project, parent: QWidget | None = None, last_task: str | None = None,
                 options_text: str = "") -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Train a model")
        self.setObjectName("train_dialog")
        self.project = project
        self.background = Background(self)
        self.tasks = registry.tasks()  # every registered task, in the registry's order
        self.availability = task_availability(project)

        self.task_box = QComboBox(objectName="train_task")
        model = QStandardItemModel(self.task_box)
        self.task_box.setModel(model)
        for chosen in self.tasks:
            task = chosen.name
            self.task_box.addItem(chosen.display_name, task)
            reason = self.availability[task]
            item = model.item(self.task_box.count() - 1)
            item.setEnabled(reason is None)
            item.setToolTip(reason or f"train {task} on the project's labels")
        self.backbone_box = QComboBox(objectName="train_backbone")
        for name in BACKBONES:
            text = (f"{name} (offline, default)" if name == OFFLINE_BACKBONE else
                    f"{name} (offline, for GPUs)" if name.startswith("efficientnet_lite") else f"{name} (needs download)")  # fmt: skip
            self.backbone_box.addItem(text, name)
        self.preset_box = QComboBox(objectName="train_preset")
        for text, minutes in PRESETS:
            self.preset_box.addItem(text, minutes)
        self.preset_box.addItem(CUSTOM, None)
        self.amount = QDoubleSpinBox(objectName="train_amount")
        self.amount.setRange(0.1, 100000)
        self.amount.setDecimals(1)
        self.unit_box = QComboBox(objectName="train_unit")
        self.unit_box.addItems(["minutes", "epochs"])
        self.options_edit = QLineEdit(options_text, objectName="train_options")
        self.options_edit.setPlaceholderText("task options, e.g. batch_size=4")

        length = QHBoxLayout()
        length.addWidget(self.preset_box, 1)
        length.addWidget(self.amount)
        length.addWidget(self.unit_box)
        form = QFormLayout()
        form.addRow("Task", self.task_box)
        form.addRow("Backbone", self.backbone_box)
        form.addRow("Duration", length)
        form.addRow("Options", self.options_edit)

        self.grid = ThumbnailGrid(columns=3, side=170)
        self.grid.setObjectName("augmentation_preview")
        self.shuffle_button = QPushButton("Shuffle", objectName="train_shuffle")
        preview = QGroupBox("Augmented training samples")
        column = QVBoxLayout(preview)
        column.addWidget(self.grid)
        column.addWidget(self.shuffle_button)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Train")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(preview, 1)
        layout.addWidget(buttons)

        self._choose_default_task(last_task)
        self._apply_preset()
        self.preset_box.currentIndexChanged.connect(self._apply_preset)
        self.amount.valueChanged.connect(self._custom)
        self.unit_box.currentIndexChanged.connect(self._custom)
        self.task_box.currentIndexChanged.connect(self.refresh_preview)
        self.task_box.currentIndexChanged.connect(self._describe_options)
        self._describe_options()
        self.shuffle_button.clicked.connect(self.refresh_preview)
        self.options_edit.editingFinished.connect(self.refresh_preview)
        self.refresh_preview()

    # --- choices ------------------------------------------------------------------------------

    @property
    def task(self) -> str | None:
        task = self.task_box.currentData()
        return task if task is not None and self.availability.get(task) is None else None

    def _choose_default_task(self, last_task: str | None) -> None:
        names = [t.name for t in self.tasks]
        usable = [t for t in names if self.availability[t] is None]
        chosen = last_task if last_task in usable else (usable[0] if usable else None)
        if chosen is not None:
            self.task_box.setCurrentIndex(names.index(chosen))
        self.ok_button.setEnabled(chosen is not None)
        if chosen is None:
            self.ok_button.setToolTip("label some frames first: " + "; ".join(filter(None, self.availability.values())))

    def _describe_options(self) -> None:
        """The options field's tooltip names the options the chosen task knows."""
        name = self.task_box.currentData()
        known = option_names(registry.get(name)) if name is not None else []
        listed = f": {', '.join(known)}" if known else " (see the task's documentation)"
        self.options_edit.setToolTip(f"key=value pairs passed to the task as --option{listed}")

    def _apply_preset(self) -> None:
        minutes = self.preset_box.currentData()
        if minutes is None:
            return
        for widget in (self.amount, self.unit_box):
            widget.blockSignals(True)
        self.unit_box.setCurrentText("minutes")
        self.amount.setValue(minutes)
        for widget in (self.amount, self.unit_box):
            widget.blockSignals(False)

    def _custom(self) -> None:
        self.preset_box.blockSignals(True)
        self.preset_box.setCurrentText(CUSTOM)
        self.preset_box.blockSignals(False)

    def set_duration(self, amount: float, unit: str) -> None:
        """An exact duration (`unit` "minutes" or "epochs"); the preset becomes Custom."""
        self.unit_box.setCurrentText(unit)
        self.amount.setValue(amount)
        self._custom()

    def options(self) -> dict[str, Any]:
        return parse_options(self.options_edit.text())

    def arguments(self) -> list[str]:
        """The `ethoframe train` arguments (without the project folder and --events-json)."""
        task = self.task or self.tasks[0].name
        args = ["--task", task, "--backbone", self.backbone_box.currentData()]
        amount = self.amount.value()
        args += ["--epochs", str(max(1, round(amount)))] if self.unit_box.currentText() == "epochs" else ["--minutes", f"{amount:g}"]
        for pair in _pairs(self.options_edit.text()):
            args += ["--option", pair]
        return args

    def accept(self) -> None:
        """Train, unless the options are not the chosen task's (its message shown instead)."""
        try:
            options = self.options()
            if self.task is not None:
                registry.get(self.task).options({**options, "backbone": self.backbone_box.currentData()})
        except ValueError as error:
            self.grid.show_message(str(error))
            return
        super().accept()

    # --- augmentation preview -----------------------------------------------------------------

    def refresh_preview(self) -> None:
        """New random augmented samples for the chosen task, computed off the GUI thread."""
        task = self.task
        if task is None:
            self.grid.show_message(self.availability.get(self.task_box.currentData()) or "nothing to train yet")
            return
        try:
            options = self.options()
        except ValueError as error:
            self.grid.show_message(str(error))
            return
        chosen = registry.get(task)
        if not chosen.has_preview:
            self.grid.show_message(chosen.preview_text(self.project, options))
            return
        options.setdefault("backbone", self.backbone_box.currentData())
        self.grid.show_message("preparing augmented samples…")
        project = self.project
        self.background.run(lambda: augmented_samples(project, task, PREVIEW_SAMPLES, options),
                            self._show_samples, self.grid.show_message, key="samples")  # fmt: skip

    def _show_samples(self, samples: list) -> None:
        if samples:
            self.grid.show_samples(samples)
        else:
            self.grid.show_message("no training samples")


def option_names(task) -> list[str]:
    """The names of the options `task` takes (its options dataclass's fields), sorted."""
    try:
        defaults = task.options({})
    except ValueError:
        return []
    return sorted(f.name for f in dataclasses.fields(defaults)) if dataclasses.is_dataclass(defaults) else []
