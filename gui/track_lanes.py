"""Track lanes: one row per identity over the whole video, coloured where the track appears,
with suspected identity problems marked and the current frame as a playhead. A click seeks; a
swap or merge shows at once (it listens to the undo controller). The proofreading overview."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from core.edits import Edit
from core.project import Project
from core.tracking import Suspect, find_suspects
from core.tracking.overview import track_runs
from gui.state import AppState
from gui.undo import UndoController

LABEL_WIDTH = 130
ROW = 16
TOP = 4


class TrackLanesWidget(QWidget):
    frame_requested = Signal(int)

    def __init__(self, project: Project, undo: UndoController, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("track_lanes")
        self.project, self.state = project, state
        self.rows: list[tuple[str, QColor, list[tuple[int, int]]]] = []
        self.suspects: list[Suspect] = []
        self.frame_count = 1
        self.setMinimumHeight(TOP + 2 * ROW)
        undo.edit_done.connect(self._edit_done)
        state.video_changed.connect(lambda _video: self.refresh())
        state.frame_changed.connect(lambda _frame: self.update())
        self.refresh()

    def refresh(self) -> None:
        """Re-read the tracks, where they appear, and the suspects."""
        self.rows, self.suspects = [], []
        video_id = self.state.video_id
        if video_id is not None:
            self.frame_count = max(self.project.videos.get(video_id).frame_count, 1)
            frames = self.project.instances.track_frames(video_id)
            for track in self.project.tracks.all():
                if track.id in frames:
                    self.rows.append((track.name, QColor(track.color), track_runs(frames[track.id])))
            if self.rows:
                # Suspects are about a tracker's or a model's mistakes: on sparse user labels
                # every gap between labelled frames would look like one.
                self.suspects = find_suspects(self.project, video_id, source="predicted")
        self.setMinimumHeight(TOP + max(len(self.rows), 2) * ROW)
        if self.parentWidget() is not None:  # never a top-level window of its own
            self.setVisible(bool(self.rows))  # no tracks: the timeline gets the room
        self.update()

    def _edit_done(self, edit: Edit) -> None:
        if any(t.topic in ("instances", "catalog") for t in edit.touched()):
            self.refresh()

    # --- geometry ----------------------------------------------------------------------------

    def x_of(self, frame: float) -> float:
        width = max(self.width() - LABEL_WIDTH, 1)
        return LABEL_WIDTH + width * frame / self.frame_count

    def frame_at(self, x: float) -> int:
        width = max(self.width() - LABEL_WIDTH, 1)
        return int(min(max((x - LABEL_WIDTH) / width * self.frame_count, 0), self.frame_count - 1))

    # --- Qt ----------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if not self.rows:
            painter.drawText(8, TOP + ROW, "no tracks yet (Tracks > Track This Video)")
            return
        for row, (name, color, runs) in enumerate(self.rows):
            top = TOP + row * ROW
            painter.setPen(QColor("#202020"))
            painter.drawText(QRectF(4, top, LABEL_WIDTH - 8, ROW), Qt.AlignmentFlag.AlignVCenter, name)
            for first, last in runs:
                x0, x1 = self.x_of(first), self.x_of(last + 1)
                painter.fillRect(QRectF(x0, top + 3, max(x1 - x0, 1.0), ROW - 6), color)
        painter.setPen(QPen(QColor("#d00000"), 1))
        bottom = TOP + len(self.rows) * ROW
        for suspect in self.suspects:
            x = self.x_of(suspect.frame)
            painter.drawLine(int(x), TOP, int(x), bottom)
        painter.setPen(QPen(QColor("#000000"), 2))
        x = self.x_of(self.state.frame_index + 0.5)
        painter.drawLine(int(x), 0, int(x), self.height())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.position().x() >= LABEL_WIDTH:
            self.frame_requested.emit(self.frame_at(event.position().x()))
