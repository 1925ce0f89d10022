"""The instances of the current frame: pick one, give it a class and a track (identity),
accept or reject a prediction. The class and track chosen here are also what new instances
get. Every change is a core edit pushed through the undo stack."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.domain import Instance, LabelClass, Track
from core.domain.palette import colour_for
from core.edits import AddRecord, Edit, accept_prediction, reject_prediction, set_instance_class, set_instance_track
from gui.state import AppState
from gui.undo import UndoController


def swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class InstancePanel(QWidget):
    edit_requested = Signal(object)  # an Edit for the main window to push (it reports refusals)

    def __init__(self, undo: UndoController, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo, self.state, self.project = undo, state, undo.project
        self._listed: list[Instance] = []  # the frame's instances as the list shows them
        self.instances = QListWidget()
        self.class_box = QComboBox()
        self.track_box = QComboBox()
        add_class = QPushButton("+")
        add_class.setToolTip("Add a label class")
        add_track = QPushButton("+")
        add_track.setToolTip("Add a track (identity)")
        self.accept_button = QPushButton("Accept")
        self.accept_button.setToolTip("Make the selected prediction a label (A)")
        self.reject_button = QPushButton("Reject")
        self.reject_button.setToolTip("Delete the selected prediction")

        form = QFormLayout()
        class_row, track_row = QHBoxLayout(), QHBoxLayout()
        class_row.addWidget(self.class_box, 1)
        class_row.addWidget(add_class)
        track_row.addWidget(self.track_box, 1)
        track_row.addWidget(add_track)
        form.addRow("Class", class_row)
        form.addRow("Track", track_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.reject_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.instances, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)

        self.instances.currentRowChanged.connect(self._row_changed)
        self.class_box.activated.connect(self._class_chosen)
        self.track_box.activated.connect(self._track_chosen)
        add_class.clicked.connect(self.ask_new_class)
        add_track.clicked.connect(self.ask_new_track)
        self.accept_button.clicked.connect(self.accept_selected)
        self.reject_button.clicked.connect(self.reject_selected)
        undo.edit_done.connect(self._edit_done)
        state.frame_changed.connect(lambda _frame: self.refresh_list())
        state.video_changed.connect(lambda _video: self.refresh_list())
        state.selection_changed.connect(self._selection_changed)
        self.refresh()

    # --- what new instances get --------------------------------------------------------------

    @property
    def current_class(self) -> int | None:
        return self.class_box.currentData()

    @property
    def current_track(self) -> int | None:
        return self.track_box.currentData()

    # --- reading the store ----------------------------------------------------------------------

    def frame_instances(self) -> list[Instance]:
        if self.state.video_id is None:
            return []
        return self.project.instances.on_frame(self.state.video_id, self.state.frame_index)

    def _edit_done(self, edit: Edit) -> None:
        """Re-read the list when the edit touched this frame (or the classes and tracks it names)."""
        here = (self.state.video_id, self.state.frame_index)
        if any(t.topic == "catalog" for t in edit.touched()):
            self.refresh()
        elif any(t.topic == "instances" and t.concerns(*here) for t in edit.touched()):
            self.refresh_list()

    def refresh(self) -> None:
        """Re-read the classes and tracks, then the frame's instances."""
        self._classes = {c.id: c for c in self.project.label_classes.all()}
        self._tracks = {t.id: t for t in self.project.tracks.all()}
        # Until the user picks, new instances get the first class (and the first track).
        self._fill(self.class_box, self._classes.values(), self.current_class if self.class_box.count() > 1 else -1)
        self._fill(self.track_box, self._tracks.values(), self.current_track if self.track_box.count() > 1 else -1)
        self.refresh_list()

    def refresh_list(self) -> None:
        """Re-read the frame's instances (the catalog as last read)."""
        classes, tracks = self._classes, self._tracks
        self.instances.blockSignals(True)
        self.instances.clear()
        now = self.project.db.now()
        self._listed = self.frame_instances()
        for instance in self._listed:
            parts = [classes[instance.class_id].name if instance.class_id in classes else "no class"]
            if instance.track_id in tracks:
                parts.append(tracks[instance.track_id].name)
            if instance.is_predicted:
                parts.append(f"predicted {instance.score:.2f}" if instance.score is not None else "predicted")
            stamp = instance.stamp
            if stamp is not None and stamp.last_by and (self.project.is_shared or stamp.last_by != self.project.user):
                parts.append(f"by {stamp.last_by}")  # who made or last changed it: team labelling
            item = QListWidgetItem(f"#{instance.id}  " + " · ".join(parts))
            item.setData(Qt.ItemDataRole.UserRole, instance.id)
            if stamp is not None:
                item.setToolTip(stamp.describe(now))
            color = tracks[instance.track_id].color if instance.track_id in tracks else None
            if color:
                item.setIcon(swatch(color))
            self.instances.addItem(item)
        self.instances.blockSignals(False)
        self._selection_changed(self.state.selected_instance)

    @staticmethod
    def _fill(box: QComboBox, records, keep: int | None) -> None:
        box.blockSignals(True)
        box.clear()
        box.addItem("(none)", None)
        for record in records:
            box.addItem(swatch(record.color), record.name, record.id)
        index = box.findData(keep)
        box.setCurrentIndex(index if index >= 0 else (1 if box.count() > 1 else 0))
        box.blockSignals(False)

    # --- gestures -------------------------------------------------------------------------------

    def _row_changed(self, row: int) -> None:
        item = self.instances.item(row) if row >= 0 else None
        self.state.select(item.data(Qt.ItemDataRole.UserRole) if item else None)

    def _selection_changed(self, instance_id: int | None) -> None:
        row = next(
            (r for r in range(self.instances.count()) if self.instances.item(r).data(Qt.ItemDataRole.UserRole) == instance_id),
            -1,
        )
        self.instances.blockSignals(True)
        self.instances.setCurrentRow(row)
        self.instances.blockSignals(False)
        selected = self._selected()
        if selected is not None:
            for box, value in ((self.class_box, selected.class_id), (self.track_box, selected.track_id)):
                box.blockSignals(True)
                box.setCurrentIndex(max(box.findData(value), 0))
                box.blockSignals(False)
        predicted = selected is not None and selected.is_predicted
        self.accept_button.setEnabled(predicted)
        self.reject_button.setEnabled(predicted)

    def _selected(self) -> Instance | None:
        """The selected instance among those listed (read with the list: no store read per call)."""
        chosen = self.state.selected_instance
        return next((i for i in self._listed if i.id == chosen), None)

    def _class_chosen(self, _index: int) -> None:
        selected = self._selected()
        if selected is not None and selected.class_id != self.current_class:
            self.edit_requested.emit(set_instance_class(self.project, selected.id, self.current_class))

    def _track_chosen(self, _index: int) -> None:
        selected = self._selected()
        if selected is not None and selected.track_id != self.current_track:
            self.edit_requested.emit(set_instance_track(self.project, selected.id, self.current_track))

    def assign_track_number(self, number: int) -> None:
        """Give the selected instance the n-th track (1-based), as Ctrl+number does."""
        tracks = self.project.tracks.all()
        selected = self._selected()
        if selected is not None and 1 <= number <= len(tracks):
            self.edit_requested.emit(set_instance_track(self.project, selected.id, tracks[number - 1].id))

    def accept_selected(self) -> None:
        selected = self._selected()
        if selected is not None and selected.is_predicted:
            self.edit_requested.emit(accept_prediction(self.project, selected.id))

    def reject_selected(self) -> None:
        selected = self._selected()
        if selected is not None and selected.is_predicted:
            self.edit_requested.emit(reject_prediction(self.project, selected.id))

    def ask_new_class(self) -> None:
        name, ok = QInputDialog.getText(self, "New label class", "Name:")
        if ok and name.strip():
            self.add_class(name.strip())

    def ask_new_track(self) -> None:
        default = f"animal {len(self.project.tracks.all()) + 1}"
        name, ok = QInputDialog.getText(self, "New track", "Name:", text=default)
        if ok and name.strip():
            self.add_track(name.strip())

    def add_class(self, name: str) -> None:
        color = colour_for(len(self.project.label_classes.all()))
        self.edit_requested.emit(AddRecord("label_classes", LabelClass(name, color), f"Add class {name}"))

    def add_track(self, name: str) -> None:
        color = colour_for(len(self.project.tracks.all()))
        self.edit_requested.emit(AddRecord("tracks", Track(name, color), f"Add track {name}"))
