"""File > Import and File > Export: pick a file, see what it holds and how it merges with an
earlier import of the same file (N new, M updated, K unchanged) before anything changes, then
import or export on a background thread with a progress bar. Export picks the format from the
file name typed (.nwb, .h5, .slp, .json, .csv...). Reading and writing are core's
(`core.interchange`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from core.interchange import EXPORT_FORMATS, EXPORT_SUFFIXES, IMPORT_FORMATS, detect_format, export, import_file, preview_file
from core.project import Project
from gui.worker import Worker, run_in_background

AUTO = "(detect)"


class _PathRow(QHBoxLayout):
    def __init__(self, pick) -> None:
        super().__init__()
        self.edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(pick)
        self.addWidget(self.edit, 1)
        self.addWidget(browse)


class ImportDialog(QDialog):
    imported = Signal(object)  # the ImportSummary

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import labels")
        self.project = project
        self.path_row = _PathRow(self._browse)
        self.format_box = QComboBox()
        self.format_box.addItems([AUTO, *IMPORT_FORMATS])
        self.preview = QLabel("Choose a file or folder to see what it holds.")
        self.preview.setWordWrap(True)
        self.progress = QProgressBar()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        form = QFormLayout()
        form.addRow("File or folder", self.path_row)
        form.addRow("Format", self.format_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.path_row.edit.editingFinished.connect(self.show_preview)
        self.format_box.currentIndexChanged.connect(lambda _i: self.show_preview())
        self.buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.start_import)
        self.worker: Worker | None = None

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import from", "", "Labels (*.slp *.json *.xml *.boris *.csv *.tsv *.yaml);;All files (*)")
        if path:
            self.set_path(path)

    def set_path(self, path: str) -> None:
        self.path_row.edit.setText(path)
        self.show_preview()

    def _format(self) -> str | None:
        chosen = self.format_box.currentText()
        return None if chosen == AUTO else chosen

    def show_preview(self) -> bool:
        """Read the file (nothing changes in the project) and show what would come in."""
        path = self.path_row.edit.text().strip()
        self.import_button.setEnabled(False)
        if not path:
            return False
        try:
            format = self._format() or detect_format(path)
            preview = preview_file(self.project, path, format)
        except (ValueError, OSError) as error:
            self.preview.setText(f"Cannot import this: {error}")
            return False
        counts = preview.counts
        shown = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in counts.items() if value)
        changes = preview.merge["new"] + preview.merge["updated"] + preview.merge["events_new"]
        self.preview.setText(f"{format.upper()} — holds: {shown or 'nothing'}.\nInstances: {preview.describe()}.")
        self.import_button.setEnabled(bool(changes) or bool(counts["suggestions"]) or bool(counts["videos"] and not counts["frames"]))
        return True

    def start_import(self) -> None:
        self.import_button.setEnabled(False)
        self.worker = Worker(import_file, self.project, self.path_row.edit.text().strip(), self._format())
        self.worker.signals.progress.connect(lambda done, total: (self.progress.setMaximum(total), self.progress.setValue(done)))
        self.worker.signals.done.connect(self._finished)
        self.worker.signals.failed.connect(lambda error: self.preview.setText(f"Nothing was imported: {error}"))
        run_in_background(self.worker)

    def _finished(self, summary) -> None:
        self.imported.emit(summary)
        self.accept()


class ExportDialog(QDialog):
    exported = Signal(object)  # the ExportSummary

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.project = project
        self.path_row = _PathRow(self._browse)
        self.format_box = QComboBox()
        self.format_box.addItems(list(EXPORT_FORMATS))
        self.what_box = QComboBox()
        self.what_box.addItems(["labels", "predictions", "both"])
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        form = QFormLayout()
        form.addRow("Save to", self.path_row)
        form.addRow("Format", self.format_box)
        form.addRow("What", self.what_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(buttons)
        buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self.start_export)
        self.path_row.edit.textChanged.connect(self._format_from_name)
        if project.folder is not None:
            self.path_row.edit.setText(str(project.folder / "exports" / "labels.json"))
        self.worker: Worker | None = None

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export to", "", "NWB poses (*.nwb);;SLEAP analysis HDF5 (*.h5);;SLEAP (*.slp);;COCO (*.json);;CVAT XML (*.xml);;CSV tables (*.csv);;All files (*)"
        )
        if path:
            self.path_row.edit.setText(path)

    def _format_from_name(self, text: str) -> None:
        """A file name whose suffix names a format picks it (a folder keeps the chosen one)."""
        format = EXPORT_SUFFIXES.get(Path(text.strip()).suffix.lower())
        if format is not None:
            self.format_box.setCurrentText(format)

    def start_export(self) -> None:
        out = Path(self.path_row.edit.text().strip())
        self.export_button.setEnabled(False)
        self.worker = Worker(export, self.project, out, self.format_box.currentText(), self.what_box.currentText())
        self.worker.signals.progress.connect(lambda done, total: (self.progress.setMaximum(total), self.progress.setValue(done)))
        self.worker.signals.done.connect(self._finished)
        self.worker.signals.failed.connect(self._failed)
        run_in_background(self.worker)

    def _failed(self, error: Exception) -> None:
        self.status.setText(f"Export failed: {error}")
        self.export_button.setEnabled(True)

    def _finished(self, summary) -> None:
        self.status.setText("Wrote " + ", ".join(summary.files))
        self.exported.emit(summary)
        self.accept()
