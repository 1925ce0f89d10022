"""Pure geometry of the behaviour timeline, with no Qt: how frames map to pixels under zoom and
scroll (`FrameScale`), which lanes exist and which bars lie in them (`build_lanes`), and what
lies under the pointer (`hit_test`). The widget only paints what this module computes, so all
of it is unit-tested without a display.

Frame `f` occupies the pixel cell `[x_of(f), x_of(f + 1))`; an event from `start` to `end`
(inclusive) is the bar `[x_of(start), x_of(end + 1))`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from core.domain import Behaviour, BehaviourEvent, Track

MAX_PIXELS_PER_FRAME = 48.0
EDGE_GRAB_PX = 5.0  # how close to a bar's edge a press grabs the edge instead of the bar


@dataclass(frozen=True)
class FrameScale:
    """Frames ↔ x pixels for a track area `width` pixels wide starting at pixel `left`.

    `pixels_per_frame` is the zoom and `first_frame` (fractional) the frame at the left edge.
    Every method returns a new scale; `clamped` keeps the view inside the video.
    """

    frame_count: int
    width: float
    left: float = 0.0
    pixels_per_frame: float = 1.0
    first_frame: float = 0.0

    @classmethod
    def fit(cls, frame_count: int, width: float, left: float = 0.0) -> FrameScale:
        """The whole video in the width (the zoomed-out view)."""
        return cls(frame_count, width, left, cls._fit_zoom(frame_count, width), 0.0)

    @staticmethod
    def _fit_zoom(frame_count: int, width: float) -> float:
        return max(width, 1.0) / max(frame_count, 1)

    @property
    def min_pixels_per_frame(self) -> float:
        return min(self._fit_zoom(self.frame_count, self.width), MAX_PIXELS_PER_FRAME)

    @property
    def visible_frames(self) -> float:
        return self.width / self.pixels_per_frame

    @property
    def last_visible_frame(self) -> int:
        return min(self.frame_count - 1, math.floor(self.first_frame + self.visible_frames))

    def x_of(self, frame: float) -> float:
        """The pixel where frame `frame`'s cell begins."""
        return self.left + (frame - self.first_frame) * self.pixels_per_frame

    def frame_at(self, x: float) -> int:
        """The frame whose cell holds pixel `x`, kept inside the video."""
        frame = math.floor(self.first_frame + (x - self.left) / self.pixels_per_frame)
        return max(0, min(frame, self.frame_count - 1))

    def nearest_boundary(self, x: float) -> int:
        """The frame whose cell starts nearest to `x` (for dragging an edge between cells)."""
        return round(self.first_frame + (x - self.left) / self.pixels_per_frame)

    def clamped(self) -> FrameScale:
        zoom = max(self.min_pixels_per_frame, min(self.pixels_per_frame, MAX_PIXELS_PER_FRAME))
        widest_start = max(0.0, self.frame_count - self.width / zoom)
        return replace(self, pixels_per_frame=zoom, first_frame=max(0.0, min(self.first_frame, widest_start)))

    def zoomed(self, factor: float, anchor_x: float) -> FrameScale:
        """Zoom by `factor` keeping the frame under `anchor_x` where it is."""
        anchor = self.first_frame + (anchor_x - self.left) / self.pixels_per_frame
        zoom = max(self.min_pixels_per_frame, min(self.pixels_per_frame * factor, MAX_PIXELS_PER_FRAME))
        return replace(self, pixels_per_frame=zoom, first_frame=anchor - (anchor_x - self.left) / zoom).clamped()

    def scrolled(self, frames: float) -> FrameScale:
        return replace(self, first_frame=self.first_frame + frames).clamped()

    def resized(self, width: float, left: float | None = None) -> FrameScale:
        """The same zoom level relative to the video (fit stays fit) at a new width."""
        was_fit = self.pixels_per_frame <= self.min_pixels_per_frame + 1e-9
        scale = replace(self, width=max(width, 1.0), left=self.left if left is None else left)
        if was_fit:
            scale = replace(scale, pixels_per_frame=scale.min_pixels_per_frame)
        return scale.clamped()

    def showing(self, frame: int, margin: float = 0.1) -> FrameScale:
        """Scrolled (by whole pages) so that `frame` is visible; unchanged if it already is."""
        if self.first_frame <= frame < self.first_frame + self.visible_frames:
            return self
        return replace(self, first_frame=frame - margin * self.visible_frames).clamped()

    def tick_step(self, min_spacing_px: float = 70.0) -> int:
        """A round number of frames (1, 2, 5, 10, 20, 50...) between labelled ruler ticks."""
        raw = min_spacing_px / self.pixels_per_frame
        step = 1
        while step < raw:
            step = _next_round(step)
        return int(step)


def _next_round(step: int) -> int:
    """1 → 2 → 5 → 10 → 20 → 50 → 100 ..."""
    digits = 10 ** (len(str(step)) - 1)
    return {1: 2, 2: 5}.get(step // digits, 10) * digits


@dataclass(frozen=True)
class Bar:
    """One event as drawn: `end` is the last frame drawn (the current frame for an open event)."""

    event_id: int
    start: int
    end: int
    is_open: bool
    predicted: bool
    point: bool
    score: float | None = None

    @property
    def resizable(self) -> bool:
        """Point events have no extent, and an open event's end is the playhead, not data."""
        return not self.point and not self.is_open


@dataclass
class Lane:
    """One row of the timeline: behaviour `behaviour_id` done by `subject_id` (None: no subject).

    `bars` are sorted by start; `_reach[i]` is the furthest end among `bars[: i + 1]`, so the
    bars overlapping a frame range are found by bisection even when bouts overlap.
    """

    behaviour_id: int
    subject_id: int | None
    label: str
    color: str
    bars: list[Bar] = field(default_factory=list)
    running: bool = False  # a bout of this lane is still being coded (started, not stopped)
    _starts: list[int] = field(default_factory=list, repr=False)
    _reach: list[int] = field(default_factory=list, repr=False)

    def index(self) -> None:
        self.bars.sort(key=lambda b: (b.start, b.predicted is False))  # predictions under labels
        self._starts = [b.start for b in self.bars]
        reach, furthest = [], -1
        for bar in self.bars:
            furthest = max(furthest, bar.end)
            reach.append(furthest)
        self._reach = reach
        self.running = any(b.is_open for b in self.bars)

    def visible(self, first: int, last: int) -> list[Bar]:
        """Bars overlapping frames `first..last` inclusive, in drawing order."""
        lo = bisect.bisect_left(self._reach, first)
        hi = bisect.bisect_right(self._starts, last)
        return [b for b in self.bars[lo:hi] if b.end >= first]


def resolve_end(event: BehaviourEvent, current_frame: int) -> int:
    """Where a bar ends: its end frame, or for an open event the current frame (not before start)."""
    return event.end_frame if event.end_frame is not None else max(event.start_frame, current_frame)


def build_lanes(
    behaviours: Sequence[Behaviour],
    tracks: Sequence[Track],
    events: Iterable[BehaviourEvent],
    current_frame: int,
) -> list[Lane]:
    """Lanes in ethogram order: every behaviour gets a lane even before it is coded (so lanes do
    not jump when the first bout appears), then one per subject that has events of it, subjects
    in track order with "no subject" first."""
    names = {t.id: t.name for t in tracks}
    order = {t.id: i for i, t in enumerate(tracks)}
    kinds = {b.id: b.kind for b in behaviours}
    by_key: dict[tuple[int, int | None], list[Bar]] = {}
    for event in events:
        if event.behaviour_id not in kinds:
            continue
        bar = Bar(
            event.id, event.start_frame, resolve_end(event, current_frame), event.is_open,
            event.source == "predicted", kinds[event.behaviour_id] == "point", event.score,
        )  # fmt: skip
        by_key.setdefault((event.behaviour_id, event.subject_id), []).append(bar)
    lanes: list[Lane] = []
    for behaviour in behaviours:
        subjects = sorted(
            (s for b, s in by_key if b == behaviour.id),
            key=lambda s: -1 if s is None else order.get(s, len(order)),
        )
        for subject in subjects or [None]:
            label = behaviour.name if subject is None else f"{behaviour.name} · {names.get(subject, subject)}"
            lane = Lane(behaviour.id, subject, label, behaviour.color, by_key.get((behaviour.id, subject), []))
            lane.index()
            lanes.append(lane)
    return lanes


HitKind = Literal["bar", "start_edge", "end_edge", "lane", "ruler", "label", "none"]


@dataclass(frozen=True)
class Hit:
    kind: HitKind
    frame: int = 0
    event_id: int | None = None
    lane: int | None = None


@dataclass(frozen=True)
class Rows:
    """Vertical layout: a ruler (with marker strip) on top, then lanes, scrolled by `first_lane`."""

    ruler_height: float = 26.0
    lane_height: float = 20.0
    first_lane: int = 0

    def lane_at(self, y: float) -> int | None:
        if y < self.ruler_height:
            return None
        return self.first_lane + int((y - self.ruler_height) // self.lane_height)

    def lane_top(self, lane: int) -> float:
        return self.ruler_height + (lane - self.first_lane) * self.lane_height


def hit_test(x: float, y: float, scale: FrameScale, rows: Rows, lanes: Sequence[Lane]) -> Hit:
    """What a press at (x, y) grabs. Edges win over bodies when within `EDGE_GRAB_PX`, but only
    on resizable bars, and on narrow bars only the outer third of the bar counts as an edge."""
    if x < scale.left:
        return Hit("label", lane=rows.lane_at(y))
    frame = scale.frame_at(x)
    lane_index = rows.lane_at(y)
    if lane_index is None:
        return Hit("ruler", frame)
    if not 0 <= lane_index < len(lanes):
        return Hit("none", frame)
    slack = EDGE_GRAB_PX / scale.pixels_per_frame + 1
    candidates = lanes[lane_index].visible(math.floor(frame - slack), math.ceil(frame + slack))
    best: Hit | None = None
    for bar in reversed(candidates):  # topmost (drawn last) first
        x0, x1 = scale.x_of(bar.start), scale.x_of(bar.end + 1)
        grab = min(EDGE_GRAB_PX, (x1 - x0) / 3)
        if bar.resizable and abs(x - x0) <= grab:
            return Hit("start_edge", frame, bar.event_id, lane_index)
        if bar.resizable and abs(x - x1) <= grab:
            return Hit("end_edge", frame, bar.event_id, lane_index)
        if best is None and x0 - 1 <= x <= max(x1, x0 + 3) + 1:  # a tiny bar stays clickable
            best = Hit("bar", frame, bar.event_id, lane_index)
    return best or Hit("lane", frame, lane=lane_index)


def drag_edge(bar: Bar, edge: Literal["start_edge", "end_edge"], boundary: int) -> tuple[int, int]:
    """New (start, end) when an edge of `bar` is dragged to the cell boundary `boundary`: the
    start edge sits at the start of frame `boundary`, the end edge after frame `boundary - 1`.
    A bar never gets shorter than one frame."""
    if edge == "start_edge":
        return min(max(boundary, 0), bar.end), bar.end
    return bar.start, max(boundary - 1, bar.start)
