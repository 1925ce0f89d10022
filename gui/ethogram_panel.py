"""The ethogram panel: the behaviours a study codes (name, key, colour, kind), the subject being
coded, and which state behaviours are running for that subject on this video. Keys code
behaviours BORIS-style through `handle_key` (which key codes what: `gui.behaviour_keys`);
every change is a core edit on the undo stack.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)  # fmt: skip

from core.domain import Behaviour, Track
from core.domain.palette import colour_for
from core.edits import AddRecord, DeleteRecord, Edit, change_record, toggle_state_event
from core.project import Project, ProjectError
from gui.behaviour_dialog import BehaviourDialog
from gui.behaviour_keys import behaviour_for_key, is_plain_key, key_bindings, reserved_keys, tool_keys
from gui.state import AppState
from gui.undo import UndoController

COLUMNS = ("", "Behaviour", "Key", "Kind", "Since")  # "Since": start frame of a running event


class EthogramPanel(QWidget):
    """`EthogramPanel(project, undo_controller, state)`. The window forwards unhandled key
    presses to `handle_key`; `message` says why a key or edit was refused."""

    message = Signal(str)
    subject_changed = Signal(object)  # track id or None

    def __init__(self, project: Project, undo_controller: UndoController, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.undo_controller, self.state = project, undo_controller, state
        self.behaviours: list[Behaviour] = []
        self.running: dict[int, int] = {}  # behaviour id -> start frame of its open event
        self.dialog: BehaviourDialog | None = None
        self.subject_dialog: QInputDialog | None = None

        self.subject_box = QComboBox()
        self.subject_box.currentIndexChanged.connect(lambda _i: self._subject_picked())
        add_subject = QPushButton("+")
        add_subject.setToolTip("Add a subject (a track)")
        add_subject.setFixedWidth(28)
        add_subject.clicked.connect(self.open_subject_dialog)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, 18)
        header.setMinimumSectionSize(18)
        self.table.cellDoubleClicked.connect(lambda row, _c: self.open_edit_dialog(self.behaviours[row].id))
        self.table.installEventFilter(self)  # typed keys code behaviours, not jump between rows

        buttons = QHBoxLayout()
        for text, slot in (("Add…", self.open_add_dialog), ("Edit…", self._edit_current), ("Delete", self._delete_current)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        subject_row = QHBoxLayout()
        subject_row.addWidget(QLabel("Subject"))
        subject_row.addWidget(self.subject_box, 1)
        subject_row.addWidget(add_subject)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addLayout(subject_row)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)

        undo_controller.edit_done.connect(self._edit_done)
        state.video_changed.connect(self._video_changed)  # bound methods: disconnected when deleted
        self.refresh()

    # --- public --------------------------------------------------------------------------------

    @property
    def subject_id(self) -> int | None:
        return self.subject_box.currentData()

    def set_subject(self, track_id: int | None) -> None:
        index = self.subject_box.findData(track_id)
        self.subject_box.setCurrentIndex(max(index, 0))

    def refresh(self) -> None:
        """Re-read the ethogram, the subjects and the running events from the store."""
        self._refresh_subjects()
        self.behaviours = self.project.behaviours.all()
        self._refresh_running()

    def handle_key(self, text: str) -> bool:
        """Code the behaviour bound to `text` at the current frame for the current subject
        (start/stop a state behaviour, mark a point one). False when no behaviour has that key
        or no video is open, so the caller can give the key to someone else."""
        behaviour = behaviour_for_key(self.behaviours, text)
        if behaviour is None or self.state.video_id is None:
            return False
        try:
            edit = toggle_state_event(self.project, self.state.video_id, behaviour.id, self.state.frame_index, self.subject_id)
        except ProjectError as error:
            self.message.emit(str(error))
            return True
        self._push(edit)
        return True

    def add_behaviour(self, behaviour: Behaviour) -> Behaviour | None:
        edit = AddRecord("behaviours", behaviour, f"Add behaviour {behaviour.name}")
        return edit.record if self._push(edit) else None

    def change_behaviour(self, behaviour_id: int, **changes) -> bool:
        return self._push(change_record(self.project, "behaviours", behaviour_id, **changes))

    def delete_behaviour(self, behaviour_id: int) -> bool:
        """Delete a behaviour and its events (one undo step brings all of them back)."""
        name = self.project.behaviours.get(behaviour_id).name
        return self._push(DeleteRecord("behaviours", behaviour_id, f"Delete behaviour {name}"))

    def add_subject(self, name: str) -> Track | None:
        name = name.strip()
        if not name:
            return None
        color = colour_for(len(self.project.tracks.all()))
        edit = AddRecord("tracks", Track(name, color), f"Add subject {name}")
        if not self._push(edit):
            return None
        self.set_subject(edit.record.id)
        return edit.record

    # --- dialogs (window-modal, never blocking, so tests can fill them in) ---------------------

    def open_add_dialog(self) -> BehaviourDialog:
        return self._open_dialog(None)

    def open_edit_dialog(self, behaviour_id: int) -> BehaviourDialog:
        return self._open_dialog(self.project.behaviours.get(behaviour_id))

    def open_subject_dialog(self) -> QInputDialog:
        self.subject_dialog = QInputDialog(self)
        self.subject_dialog.setWindowTitle("New subject")
        self.subject_dialog.setLabelText("Name of the animal (a track):")
        self.subject_dialog.textValueSelected.connect(self.add_subject)
        self.subject_dialog.open()
        return self.subject_dialog

    def _open_dialog(self, behaviour: Behaviour | None) -> BehaviourDialog:
        others = [b for b in self.behaviours if behaviour is None or b.id != behaviour.id]
        self.dialog = BehaviourDialog(
            behaviour, [b.name for b in others], [b.key for b in others if b.key], reserved_keys(), tool_keys(), self
        )
        self.dialog.accepted.connect(lambda dialog=self.dialog, old=behaviour: self._dialog_done(dialog, old))
        self.dialog.open()
        return self.dialog

    def _dialog_done(self, dialog: BehaviourDialog, old: Behaviour | None) -> None:
        new = dialog.behaviour()
        if old is None:
            self.add_behaviour(new)
            return
        changes = {f: getattr(new, f) for f in ("name", "key", "color", "kind") if getattr(new, f) != getattr(old, f)}
        if changes:
            self.change_behaviour(old.id, **changes)

    # --- keys ----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._key_codes(event):
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            return self._key_codes(event)
        return super().eventFilter(watched, event)

    def _key_codes(self, event: QKeyEvent) -> bool:
        return is_plain_key(event) and self.handle_key(event.text())

    # --- refreshing ----------------------------------------------------------------------------

    def _edit_done(self, edit: Edit) -> None:
        topics = {t.topic for t in edit.touched()}
        if "catalog" in topics:
            self.refresh()
        elif any(t.topic == "events" and t.video_id in (None, self.state.video_id) for t in edit.touched()):
            self._refresh_running()

    def _video_changed(self, _video_id: int) -> None:
        self._refresh_running()

    def _refresh_subjects(self) -> None:
        current = self.subject_id
        blocked = self.subject_box.blockSignals(True)
        self.subject_box.clear()
        self.subject_box.addItem("No subject", None)
        for track in self.project.tracks.all():
            swatch = QPixmap(12, 12)
            swatch.fill(QColor(track.color))
            self.subject_box.addItem(QIcon(swatch), track.name, track.id)
        self.subject_box.setCurrentIndex(max(self.subject_box.findData(current), 0))
        self.subject_box.blockSignals(blocked)
        if self.subject_id != current:
            self._subject_picked()

    def _subject_picked(self) -> None:
        self._refresh_running()
        self.subject_changed.emit(self.subject_id)

    def _refresh_running(self) -> None:
        video = self.state.video_id
        self.running = {}
        if video is not None:
            for b in self.behaviours:
                event = self.project.events.open_event(video, b.id, self.subject_id) if b.kind == "state" else None
                if event is not None:
                    self.running[b.id] = event.start_frame
        self._fill_table()

    def _fill_table(self) -> None:
        selected = self._current_id()
        bindings = key_bindings(self.behaviours)
        self.table.setRowCount(len(self.behaviours))
        for row, b in enumerate(self.behaviours):
            keys = " / ".join(k for k, bound in bindings.items() if bound.id == b.id)
            running = b.id in self.running
            cells = ("", b.name, keys, b.kind, f"▶ {self.running[b.id]}" if running else "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, b.id)
                if running:
                    tint = QColor(b.color)
                    tint.setAlpha(90)
                    item.setBackground(QBrush(tint))
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
            self.table.item(row, 0).setBackground(QBrush(QColor(b.color)))
            self.table.item(row, 0).setToolTip(b.color)
            if b.id == selected:
                self.table.selectRow(row)

    def _current_id(self) -> int | None:
        item = self.table.item(self.table.currentRow(), 1) if self.table.currentRow() >= 0 else None
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _edit_current(self) -> None:
        if (behaviour_id := self._current_id()) is not None:
            self.open_edit_dialog(behaviour_id)

    def _delete_current(self) -> None:
        if (behaviour_id := self._current_id()) is not None:
            self.delete_behaviour(behaviour_id)

    def _push(self, edit: Edit) -> bool:
        return self.undo_controller.try_push(edit, self.message.emit)
