"""Track lanes: one row per identity over the whole video, coloured where the track appears,
with suspected identity problems marked and the current frame as a playhead. A click seeks.
The proofreading overview.

What it shows is a whole-video analysis (`video_overview`: seconds on 100,000 predictions), so
it runs on a worker, and again only after an edit that changed a track's members or a
prediction of this video (a moved node of a user label changes neither); until the new answer
comes the lanes keep showing the last one."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QScrollBar, QWidget

from core.edits import Edit
from core.project import Project
from core.tracking import Suspect
from core.tracking.overview import VideoOverview, video_overview
from gui.analysis import BIG_VIDEO_FRAMES, LatestAnalysis
from gui.state import AppState
from gui.undo import UndoController

LABEL_WIDTH = 130
ROW = 16
TOP = 4
SHOWN_ROWS = 6  # past this many identities the lanes scroll (wheel or bar) instead of growing
BAR = 12  # the scroll bar's width


class TrackLanesWidget(QWidget):
    frame_requested = Signal(int)
    shown = Signal()  # a new analysis is on screen

    def __init__(self, project: Project, undo: UndoController, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("track_lanes")
        self.project, self.state = project, state
        self.rows: list[tuple[str, QColor, list[tuple[int, int]]]] = []
        self.suspects: list[Suspect] = []
        self.frame_count = 1
        self.analysis = LatestAnalysis(self)
        self.analysis.ready.connect(self._show)
        self.first_row = 0  # the top row shown
        self.scrollbar = QScrollBar(Qt.Orientation.Vertical, self)
        self.scrollbar.setObjectName("track_lanes_scroll")
        self.scrollbar.valueChanged.connect(self._scrolled)
        self.scrollbar.hide()
        self.setMinimumHeight(TOP + 2 * ROW)
        undo.edit_done.connect(self._edit_done)
        state.video_changed.connect(lambda _video: self.refresh())
        state.frame_changed.connect(lambda _frame: self.update())
        self.refresh()

    def refresh(self) -> None:
        """Re-read the tracks, where they appear, and the suspects (on a worker)."""
        if self.state.video_id is None:
            self.analysis.cancel()
            self._show(None)
        else:
            self.analysis.request(video_overview, self.project, self.state.video_id, now=True, big=self._big)

    @property
    def _big(self) -> bool:
        return self.state.frame_count >= BIG_VIDEO_FRAMES

    @property
    def busy(self) -> bool:
        """Whether a newer analysis than the one shown is under way."""
        return self.analysis.busy

    def _show(self, overview: VideoOverview | None) -> None:
        if overview is not None and overview.video_id != self.state.video_id:
            return  # asked before the video changed; the new video's answer follows
        self.rows = [(lane.name, QColor(lane.color), lane.runs) for lane in overview.lanes] if overview else []
        self.suspects = overview.suspects if overview else []
        self.frame_count = overview.frame_count if overview else 1
        shown = min(max(len(self.rows), 2), SHOWN_ROWS)
        self.setFixedHeight(TOP + shown * ROW + 2)  # never more: the video keeps its room
        self.scrollbar.setRange(0, max(len(self.rows) - shown, 0))
        self.scrollbar.setPageStep(shown)
        self.scrollbar.setVisible(len(self.rows) > shown)
        self._place_scrollbar()
        if self.parentWidget() is not None:  # never a top-level window of its own
            self.setVisible(bool(self.rows))  # no tracks: the timeline gets the room
        self.update()
        self.shown.emit()

    def _edit_done(self, edit: Edit) -> None:
        video_id = self.state.video_id
        for t in edit.touched():
            catalog = t.topic == "catalog"
            members = t.topic == "instances" and t.concerns(video_id) and (t.track_ids or t.predicted or not t.instance_ids)
            if video_id is not None and (catalog or members):
                self.analysis.request(video_overview, self.project, video_id, big=self._big)
                return

    # --- geometry ----------------------------------------------------------------------------

    def _track_width(self) -> float:
        return max(self.width() - LABEL_WIDTH - (BAR if self.scrollbar.isVisible() else 0), 1)

    def x_of(self, frame: float) -> float:
        return LABEL_WIDTH + self._track_width() * frame / self.frame_count

    def frame_at(self, x: float) -> int:
        width = self._track_width()
        return int(min(max((x - LABEL_WIDTH) / width * self.frame_count, 0), self.frame_count - 1))

    # --- Qt ----------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if not self.rows:
            painter.drawText(8, TOP + ROW, "no tracks yet (Tracks > Track This Video)")
            return
        shown = self.rows[self.first_row : self.first_row + SHOWN_ROWS]
        for row, (name, color, runs) in enumerate(shown):
            top = TOP + row * ROW
            painter.setPen(QColor("#202020"))
            painter.drawText(QRectF(4, top, LABEL_WIDTH - 8, ROW), Qt.AlignmentFlag.AlignVCenter, name)
            for first, last in runs:
                x0, x1 = self.x_of(first), self.x_of(last + 1)
                painter.fillRect(QRectF(x0, top + 3, max(x1 - x0, 1.0), ROW - 6), color)
        painter.setPen(QPen(QColor("#d00000"), 1))
        bottom = TOP + len(shown) * ROW
        for suspect in self.suspects:
            x = self.x_of(suspect.frame)
            painter.drawLine(int(x), TOP, int(x), bottom)
        painter.setPen(QPen(QColor("#000000"), 2))
        x = self.x_of(self.state.frame_index + 0.5)
        painter.drawLine(int(x), 0, int(x), self.height())

    def _scrolled(self, value: int) -> None:
        self.first_row = value
        self.update()

    def _place_scrollbar(self) -> None:
        self.scrollbar.setGeometry(self.width() - BAR, 0, BAR, self.height())

    def resizeEvent(self, event) -> None:
        self._place_scrollbar()
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.scrollbar.isVisible():
            self.scrollbar.setValue(self.scrollbar.value() - (1 if event.angleDelta().y() > 0 else -1))
            event.accept()
        else:
            super().wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.position().x() >= LABEL_WIDTH:
            self.frame_requested.emit(self.frame_at(event.position().x()))
