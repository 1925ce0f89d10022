"""Painting the timeline with QPainter: ruler and frame markers, lane labels, event bars
(labelled solid, predicted light and hatched, open ones ending at the playhead, point events as
diamonds), the selection and the playhead. `paint_static` draws what a frame step does not
change (the widget caches it in a pixmap); `paint_moving` draws open events and the playhead.
Only visible bars are drawn, batched per lane, so thousands of predicted bouts stay cheap."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPalette, QPen, QPolygonF

from gui.timeline.data import TimelineData
from gui.timeline.layout import Bar, FrameScale, Rows

LABELLED_COLOR = QColor("#2f7ed8")
SUGGESTED_COLOR = QColor("#f28e2b")
PLAYHEAD_COLOR = QColor("#e03131")
MARKER_STRIP = 9.0  # height of the strip under the ruler that holds frame markers


def paint_static(
    painter: QPainter,
    palette: QPalette,
    size: tuple[float, float],
    scale: FrameScale,
    rows: Rows,
    data: TimelineData,
    selected: int | None,
) -> None:
    """Everything that does not move with the current frame (the widget caches it): ruler,
    markers, lane names and every bar except open ones."""
    width, height = size
    painter.fillRect(QRectF(0, 0, width, height), palette.color(QPalette.ColorRole.Base))
    if scale.frame_count <= 0:
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, "No video")
        return
    first, last = int(scale.first_frame), scale.last_visible_frame
    painter.save()
    painter.setClipRect(QRectF(scale.left, 0, scale.width, height))
    _paint_lane_backgrounds(painter, palette, scale, rows, len(data.lanes), height)
    _paint_ruler(painter, palette, scale, rows, first, last)
    _paint_markers(painter, scale, rows, data, first, last)
    painter.setClipRect(QRectF(scale.left, rows.ruler_height, scale.width, height - rows.ruler_height))
    for index, top in _shown_lanes(rows, len(data.lanes), height):
        lane = data.lanes[index]
        _paint_lane_bars(painter, scale, rows, top, QColor(lane.color), lane.visible(first, last), selected)
    painter.restore()
    _paint_labels(painter, palette, scale, rows, data, height)


def paint_moving(
    painter: QPainter, size: tuple[float, float], scale: FrameScale, rows: Rows, data: TimelineData, current_frame: int, selected: int | None
) -> None:
    """What follows the current frame, drawn over the cached layer: open events and the playhead."""
    if scale.frame_count <= 0:
        return
    height = size[1]
    first, last = int(scale.first_frame), scale.last_visible_frame
    painter.save()
    painter.setClipRect(QRectF(scale.left, rows.ruler_height, scale.width, height - rows.ruler_height))
    for index, top in _shown_lanes(rows, len(data.lanes), height):
        lane = data.lanes[index]
        for bar in lane.visible(first, last) if lane.running else ():
            if bar.is_open:
                rect = _bar_rect(scale, top, rows.lane_height - 4, bar)
                color = QColor(lane.color)
                painter.fillRect(rect, color)
                painter.setPen(QPen(color.darker(160), 1, Qt.PenStyle.DashLine))
                painter.drawLine(rect.topRight(), rect.bottomRight())  # the end follows the playhead
                if bar.event_id == selected:
                    _paint_selection(painter, rect, False)
    painter.setClipRect(QRectF(scale.left, 0, scale.width, height))
    _paint_playhead(painter, scale, rows, current_frame, height)
    painter.restore()


def _shown_lanes(rows: Rows, count: int, height: float):
    """(lane index, top pixel) of the lanes inside the widget's height."""
    for index in range(rows.first_lane, count):
        top = rows.lane_top(index)
        if top > height:
            return
        yield index, top


def _paint_lane_backgrounds(painter: QPainter, palette: QPalette, scale: FrameScale, rows: Rows, count: int, height: float) -> None:
    alternate = palette.color(QPalette.ColorRole.AlternateBase)
    grid = palette.color(QPalette.ColorRole.Mid)
    grid.setAlpha(60)
    painter.setPen(QPen(grid, 1))
    for index, top in _shown_lanes(rows, count, height):
        if index % 2:
            painter.fillRect(QRectF(scale.left, top, scale.width, rows.lane_height), alternate)
        painter.drawLine(QPointF(scale.left, top + rows.lane_height), QPointF(scale.left + scale.width, top + rows.lane_height))
    end = scale.x_of(scale.frame_count)
    if end < scale.left + scale.width:  # past the last frame
        painter.fillRect(QRectF(end, 0, scale.left + scale.width - end, height), palette.color(QPalette.ColorRole.Window))


def _paint_ruler(painter: QPainter, palette: QPalette, scale: FrameScale, rows: Rows, first: int, last: int) -> None:
    ruler = QRectF(scale.left, 0, scale.width, rows.ruler_height)
    painter.fillRect(ruler, palette.color(QPalette.ColorRole.Window))
    text = palette.color(QPalette.ColorRole.WindowText)
    step = scale.tick_step()
    minor = max(1, step // 5 if step >= 5 else step // 2 or 1)
    baseline = rows.ruler_height - MARKER_STRIP
    painter.setPen(QPen(text, 1))
    for frame in range(first - first % minor, last + 1, minor):
        x = scale.x_of(frame)
        major = frame % step == 0
        painter.drawLine(QPointF(x, baseline - (7 if major else 3)), QPointF(x, baseline))
        if major:
            painter.drawText(QPointF(x + 3, baseline - 5), str(frame))
    painter.drawLine(QPointF(scale.left, baseline), QPointF(scale.left + scale.width, baseline))


def _paint_markers(painter: QPainter, scale: FrameScale, rows: Rows, data: TimelineData, first: int, last: int) -> None:
    """Labelled frames as blue ticks, suggested frames as orange triangles, in the marker strip."""
    top, bottom = rows.ruler_height - MARKER_STRIP, rows.ruler_height
    cell = max(scale.pixels_per_frame, 2.0)
    for frame in data.markers_between(data.labelled, first, last):
        painter.fillRect(QRectF(scale.x_of(frame), top + 1, min(cell, 4.0), MARKER_STRIP - 1), LABELLED_COLOR)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(SUGGESTED_COLOR)
    for frame in data.markers_between(data.suggested, first, last):
        x = scale.x_of(frame + 0.5)
        painter.drawPolygon(QPolygonF([QPointF(x - 3.5, bottom), QPointF(x + 3.5, bottom), QPointF(x, top + 2)]))


def _paint_lane_bars(painter: QPainter, scale: FrameScale, rows: Rows, top: float, color: QColor, bars: list[Bar], selected: int | None) -> None:
    """One lane's bars, batched by style into a few `drawRects` calls (thousands of predicted
    bouts cost a handful of Qt calls, and bars thinner than a pixel merge into runs)."""
    height = rows.lane_height - 4
    predicted = _spans(scale, (b for b in bars if b.predicted and not b.point))
    labelled = _spans(scale, (b for b in bars if not b.predicted and not b.point and not b.is_open))
    if predicted:
        rects = [QRectF(x0, top + 2, x1 - x0, height) for x0, x1 in predicted]
        light = QColor(color)
        light.setAlpha(80)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(light)
        painter.drawRects(rects)
        painter.setBrush(QBrush(color.darker(130), Qt.BrushStyle.BDiagPattern))
        painter.setPen(QPen(color.darker(110), 1, Qt.PenStyle.DashLine))
        painter.drawRects(rects)
    if labelled:
        painter.setPen(QPen(color.darker(160), 1))
        painter.setBrush(color)
        painter.drawRects([QRectF(x0, top + 2, x1 - x0, height) for x0, x1 in labelled])
    for bar in bars:
        if bar.is_open or not (bar.point or bar.event_id == selected):
            continue  # open bars move with the playhead: `paint_moving` draws them
        rect = _bar_rect(scale, top, height, bar)
        if bar.point:
            _paint_point(painter, rect, color, QPen(color.darker(160), 1), bar.predicted)
        if bar.event_id == selected:
            _paint_selection(painter, rect, bar.resizable)


def _bar_rect(scale: FrameScale, top: float, height: float, bar: Bar) -> QRectF:
    x0 = scale.x_of(bar.start)
    return QRectF(x0, top + 2, max(scale.x_of(bar.end + 1), x0 + 2.0) - x0, height)


def _spans(scale: FrameScale, bars) -> list[tuple[float, float]]:
    """Pixel spans of bars (at least 2 px wide); spans narrower than 3 px that touch the
    previous one merge with it, so a zoomed-out lane is at most one rectangle per pixel."""
    spans: list[tuple[float, float]] = []
    left, ppf, first = scale.left, scale.pixels_per_frame, scale.first_frame
    for bar in bars:
        x0 = left + (bar.start - first) * ppf  # scale.x_of, inlined: this loop sees every bar
        x1 = max(left + (bar.end + 1 - first) * ppf, x0 + 2.0)
        if spans and x1 - x0 < 3 and x0 <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(spans[-1][1], x1))
        else:
            spans.append((x0, x1))
    return spans


def _paint_selection(painter: QPainter, rect: QRectF, resizable: bool) -> None:
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor("#111111"), 2))
    painter.drawRect(rect.adjusted(-1, -1, 1, 1))
    if resizable:
        painter.setBrush(QColor("#ffffff"))
        painter.setPen(QPen(QColor("#111111"), 1))
        painter.drawRects([QRectF(x - 2, rect.center().y() - 5, 4, 10) for x in (rect.left(), rect.right())])


def _paint_point(painter: QPainter, rect: QRectF, color: QColor, outline: QPen, predicted: bool) -> None:
    cx, cy, r = rect.center().x(), rect.center().y(), min(rect.height() / 2, 6.0)
    fill = QColor(color)
    if predicted:
        fill.setAlpha(110)
    painter.setPen(outline)
    painter.setBrush(fill)
    painter.drawPolygon(QPolygonF([QPointF(cx, cy - r), QPointF(cx + r, cy), QPointF(cx, cy + r), QPointF(cx - r, cy)]))


def _paint_playhead(painter: QPainter, scale: FrameScale, rows: Rows, frame: int, height: float) -> None:
    if not scale.first_frame - 1 <= frame <= scale.last_visible_frame + 1:
        return
    x0, x1 = scale.x_of(frame), scale.x_of(frame + 1)
    if x1 - x0 >= 4:  # zoomed in: shade the whole frame cell
        shade = QColor(PLAYHEAD_COLOR)
        shade.setAlpha(40)
        painter.fillRect(QRectF(x0, rows.ruler_height, x1 - x0, height), shade)
    x = (x0 + x1) / 2 if x1 - x0 >= 4 else x0
    painter.setPen(QPen(PLAYHEAD_COLOR, 1.5))
    painter.drawLine(QPointF(x, 0), QPointF(x, height))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(PLAYHEAD_COLOR)
    painter.drawPolygon(QPolygonF([QPointF(x - 5, 0), QPointF(x + 5, 0), QPointF(x, 7)]))


def _paint_labels(painter: QPainter, palette: QPalette, scale: FrameScale, rows: Rows, data: TimelineData, height: float) -> None:
    """The left column: a colour swatch and the lane's name; a dot marks a lane still running."""
    painter.fillRect(QRectF(0, 0, scale.left, height), palette.color(QPalette.ColorRole.Window))
    metrics = QFontMetrics(painter.font())
    text = palette.color(QPalette.ColorRole.WindowText)
    painter.setPen(text)
    painter.drawText(QRectF(6, 0, scale.left - 8, rows.ruler_height - MARKER_STRIP), Qt.AlignmentFlag.AlignVCenter, "frame")
    for index, top in _shown_lanes(rows, len(data.lanes), height):
        lane = data.lanes[index]
        painter.fillRect(QRectF(6, top + 4, 10, rows.lane_height - 8), QColor(lane.color))
        label = ("● " if lane.running else "") + lane.label
        painter.setPen(PLAYHEAD_COLOR if lane.running else text)
        elided = metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(scale.left - 26 - 12))  # 12: the lanes' scroll bar
        painter.drawText(QRectF(22, top, scale.left - 24, rows.lane_height), Qt.AlignmentFlag.AlignVCenter, elided)
    painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
    painter.drawLine(QPointF(scale.left - 0.5, 0), QPointF(scale.left - 0.5, height))
