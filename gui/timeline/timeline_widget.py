"""The behaviour timeline under the video: one lane per behaviour (and per subject that has
events of it), events as coloured bars, frame markers and a playhead. It turns gestures into
core edits (resize by dragging an edge, delete with the Delete key) and into requests
(`frame_requested` to seek, `event_selected`); it refreshes only when an edit touched what it
shows, or the frame or video changed. Geometry lives in `layout.py`, pixels in `painter.py`.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Literal

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QHelpEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QScrollBar, QToolTip, QWidget

from core.edits import DeleteEvent, Edit, resize_event
from gui.state import AppState
from gui.timeline.data import TimelineData
from gui.timeline.layout import Bar, FrameScale, Rows, drag_edge, hit_test
from gui.timeline.painter import paint_moving, paint_static
from gui.undo import UndoController

LABEL_WIDTH = 190.0  # room for "walk · mouse 1 (black)"; longer names are elided, the full one in a tooltip
LANE_BAR = 12  # the lanes' vertical scroll bar, at the right edge of the names
WHEEL_ZOOM = 1.25  # zoom factor per wheel notch
_gestures = itertools.count(1)  # each edge drag is one gesture: one undo step


class TimelineWidget(QWidget):
    """`TimelineWidget(project, undo_controller, state)`; connect `frame_requested` to
    `state.set_frame`. `event_selected` carries an event id, or -1 when the selection clears."""

    frame_requested = Signal(int)
    event_selected = Signal(int)
    message = Signal(str)  # why an edit was refused, for the status bar

    def __init__(self, project, undo_controller: UndoController, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo_controller, self.state = undo_controller, state
        self.data = TimelineData(project)
        self.rows = Rows()
        self.scale = FrameScale.fit(0, 1.0, LABEL_WIDTH)
        self.selected_event: int | None = None
        self._drag: tuple[Literal["start_edge", "end_edge"], Bar, tuple] | None = None
        self._scrubbing: int | None = None  # the frame last requested while dragging on empty space
        self._last_drag: tuple[int, int] | None = None
        self._cache: QPixmap | None = None  # `paint_static`'s layer, until what it shows changes
        self._cache_key: tuple | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setMinimumHeight(80)
        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.scrollbar.valueChanged.connect(self._scrolled_by_bar)
        self.lane_bar = QScrollBar(Qt.Orientation.Vertical, self)  # shown when the lanes overflow
        self.lane_bar.setObjectName("timeline_lanes_scroll")
        self.lane_bar.valueChanged.connect(self._lanes_scrolled_by_bar)
        self.lane_bar.hide()
        undo_controller.edit_done.connect(self._edit_done)
        state.video_changed.connect(self._video_changed)  # bound methods: disconnected when deleted
        state.frame_changed.connect(self._frame_changed)
        self.refresh()

    # --- public --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read everything for the current video from the store and fit it in view."""
        self.data.load(self.state.video_id, self.state.frame_index)
        self.scale = FrameScale.fit(self.state.frame_count if self.state.video_id is not None else 0, self._track_width(), LABEL_WIDTH)
        self.rows = replace(self.rows, first_lane=0)
        self._sync_lane_bar()
        self._select(None)
        self._sync_scrollbar()
        self._redraw_all()

    def select_event(self, event_id: int | None) -> None:
        self._select(event_id)
        self.update()

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        self._set_scale(self.scale.zoomed(factor, self.scale.left + self.scale.width / 2 if anchor_x is None else anchor_x))

    def show_frames(self, first: int, last: int) -> None:
        """Zoom and scroll so frames `first..last` fill the width."""
        ppf = self.scale.width / max(last - first + 1, 1)
        self._set_scale(replace(self.scale, pixels_per_frame=ppf, first_frame=float(first)).clamped())

    def bar_rect(self, event_id: int) -> QRectF | None:
        """Where an event's bar is drawn, in widget pixels (None when it has no lane)."""
        lane, bar = self.data.lane_of(event_id), self.data.bar(event_id)
        if lane is None or bar is None:
            return None
        x0, x1 = self.scale.x_of(bar.start), self.scale.x_of(bar.end + 1)
        return QRectF(x0, self.rows.lane_top(lane) + 2, x1 - x0, self.rows.lane_height - 4)

    def sizeHint(self) -> QSize:
        lanes = max(len(self.data.lanes), 3)
        return QSize(800, int(self.rows.ruler_height + lanes * self.rows.lane_height + self.scrollbar.sizeHint().height() + 2))

    # --- listening -----------------------------------------------------------------------------

    def _edit_done(self, edit: Edit) -> None:
        if self.data.apply_touched(edit.touched(), self.state.frame_index):
            if self.selected_event is not None and self.data.event(self.selected_event) is None:
                self._select(None)
            self._redraw_all()

    def _video_changed(self, _video_id: int) -> None:
        self.refresh()

    def _frame_changed(self, frame: int) -> None:
        self.data.frame_moved(frame)
        if self._drag is None and self._scrubbing is None:
            self._set_scale(self.scale.showing(frame), repaint=False)
        self.update()

    # --- mouse and keys ------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        hit = hit_test(event.position().x(), event.position().y(), self.scale, self.rows, self.data.lanes)
        if hit.kind in ("bar", "start_edge", "end_edge"):
            self._select(hit.event_id)
            if hit.kind != "bar":
                self._drag = (hit.kind, self.data.bar(hit.event_id), ("timeline-resize", hit.event_id, next(_gestures)))
                self._last_drag = None
        elif hit.kind in ("lane", "ruler", "none") and self.scale.frame_count > 0:
            self._select(None)
            self._scrubbing = hit.frame
            self.frame_requested.emit(hit.frame)
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x, y = event.position().x(), event.position().y()
        if self._drag is not None:
            edge, bar, gesture = self._drag
            start, end = drag_edge(bar, edge, self.scale.nearest_boundary(x))
            if (start, end) != (self._last_drag or (bar.start, bar.end)):
                self._last_drag = (start, end)
                self._push(resize_event(self.data.project, bar.event_id, start, end, gesture))
        elif self._scrubbing is not None:
            frame = self.scale.frame_at(x)
            if frame != self._scrubbing:
                self._scrubbing = frame
                self.frame_requested.emit(frame)
        else:
            kind = hit_test(x, y, self.scale, self.rows, self.data.lanes).kind
            cursor = {"start_edge": Qt.CursorShape.SizeHorCursor, "end_edge": Qt.CursorShape.SizeHorCursor, "bar": Qt.CursorShape.PointingHandCursor}
            self.setCursor(cursor.get(kind, Qt.CursorShape.ArrowCursor))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag, self._last_drag, self._scrubbing = None, None, None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        hit = hit_test(event.position().x(), event.position().y(), self.scale, self.rows, self.data.lanes)
        if hit.event_id is not None:
            self._select(hit.event_id)
            self.frame_requested.emit(self.data.bar(hit.event_id).start)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        x = event.position().x()
        if x < self.scale.left and delta.y():  # over the lane names: scroll lanes
            self._scroll_lanes(-1 if delta.y() > 0 else 1)
        elif delta.x() or event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            notches = (delta.x() or delta.y()) / 120
            self._set_scale(self.scale.scrolled(-notches * self.scale.visible_frames / 10))
        elif delta.y():
            self._set_scale(self.scale.zoomed(WHEEL_ZOOM ** (delta.y() / 120), x))
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected_event is not None:
            if self._push(DeleteEvent(self.selected_event)):
                self._select(None)
        elif event.key() == Qt.Key.Key_Escape and self.selected_event is not None:
            self.select_event(None)
        elif event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus) and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
            self.zoom(WHEEL_ZOOM**2 if event.key() != Qt.Key.Key_Minus else WHEEL_ZOOM**-2, self.scale.x_of(self.state.frame_index))
        else:
            super().keyPressEvent(event)  # behaviour keys and arrows go on to the window
            return
        self.update()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self.selected_event is not None:
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Escape):
                event.accept()  # a window-wide Delete shortcut must not steal the timeline's
                return True
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = hit_test(event.pos().x(), event.pos().y(), self.scale, self.rows, self.data.lanes)
            text = self.data.describe(hit.event_id) if hit.event_id is not None else ""
            lane = self.rows.lane_at(event.pos().y())
            if event.pos().x() < self.scale.left and lane is not None and lane < len(self.data.lanes):
                text = self.data.lanes[lane].label  # the whole name, elided in the column
            QToolTip.showText(event.globalPos(), text, self) if text else QToolTip.hideText()
            return True
        return super().event(event)

    # --- painting and geometry -----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        size = (float(self.width()), float(self.height() - self.scrollbar.height()))
        key = (size, self.scale, self.rows, self.selected_event, self.devicePixelRatioF())
        if self._cache is None or key != self._cache_key:
            ratio = self.devicePixelRatioF()
            self._cache = QPixmap(int(size[0] * ratio), int(size[1] * ratio))
            self._cache.setDevicePixelRatio(ratio)
            layer = QPainter(self._cache)
            layer.setFont(self.font())
            paint_static(layer, self.palette(), size, self.scale, self.rows, self.data, self.selected_event)
            layer.end()
            self._cache_key = key
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._cache)
        paint_moving(painter, size, self.scale, self.rows, self.data, self.state.frame_index, self.selected_event)
        painter.end()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._cache = None
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        bar_height = self.scrollbar.sizeHint().height()
        self.scrollbar.setGeometry(int(LABEL_WIDTH), self.height() - bar_height, self.width() - int(LABEL_WIDTH), bar_height)
        self._set_scale(self.scale.resized(self._track_width(), LABEL_WIDTH), repaint=False)
        self._scroll_lanes(0)  # keeps the lane bar in step with the new height
        super().resizeEvent(event)

    # --- helpers -------------------------------------------------------------------------------

    def _redraw_all(self) -> None:
        """What the store holds changed: drop the cached layer, and maybe the lane count."""
        self._cache = None
        self.updateGeometry()
        self._scroll_lanes(0)  # the lane count may have changed

    def _track_width(self) -> float:
        return max(float(self.width()) - LABEL_WIDTH, 1.0)

    def _push(self, edit: Edit) -> bool:
        return self.undo_controller.try_push(edit, self.message.emit)

    def _select(self, event_id: int | None) -> None:
        if event_id != self.selected_event:
            self.selected_event = event_id
            self.event_selected.emit(-1 if event_id is None else event_id)

    def _set_scale(self, scale: FrameScale, repaint: bool = True) -> None:
        self.scale = scale
        self._sync_scrollbar()
        if repaint:
            self.update()

    def _sync_scrollbar(self) -> None:
        hidden = self.scale.visible_frames >= self.scale.frame_count
        blocked = self.scrollbar.blockSignals(True)
        self.scrollbar.setRange(0, 0 if hidden else int(self.scale.frame_count - self.scale.visible_frames))
        self.scrollbar.setPageStep(max(int(self.scale.visible_frames), 1))
        self.scrollbar.setSingleStep(max(int(self.scale.visible_frames / 10), 1))
        self.scrollbar.setValue(int(round(self.scale.first_frame)))
        self.scrollbar.blockSignals(blocked)

    def _scrolled_by_bar(self, value: int) -> None:
        self.scale = replace(self.scale, first_frame=float(value)).clamped()
        self.update()

    def _visible_lanes(self) -> int:
        return max(int((self.height() - self.scrollbar.height() - self.rows.ruler_height) // self.rows.lane_height), 1)

    def _scroll_lanes(self, delta: int) -> None:
        most = max(0, len(self.data.lanes) - self._visible_lanes())
        self.rows = replace(self.rows, first_lane=max(0, min(self.rows.first_lane + delta, most)))
        self._sync_lane_bar()
        self.update()

    def _lanes_scrolled_by_bar(self, value: int) -> None:
        self.rows = replace(self.rows, first_lane=value)
        self.update()

    def _sync_lane_bar(self) -> None:
        """The lanes' scroll bar: shown while some lanes are out of view, in step with them."""
        visible = self._visible_lanes()
        most = max(0, len(self.data.lanes) - visible)
        blocked = self.lane_bar.blockSignals(True)
        self.lane_bar.setRange(0, most)
        self.lane_bar.setPageStep(visible)
        self.lane_bar.setValue(self.rows.first_lane)
        self.lane_bar.blockSignals(blocked)
        top = int(self.rows.ruler_height)
        self.lane_bar.setGeometry(int(LABEL_WIDTH) - LANE_BAR, top, LANE_BAR, max(self.height() - self.scrollbar.height() - top, 1))
        self.lane_bar.setVisible(most > 0)
