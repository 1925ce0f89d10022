"""What the timeline shows for one video, read from the project and kept until an edit says it
changed: the ethogram and tracks (catalog), the video's behaviour events, and the frame markers
(labelled frames, suggestions). No Qt: the widget asks this for lanes and markers and paints them.

Each part reloads on its own, so an event edit never re-reads labelled frames and a frame step
re-reads nothing (it only re-resolves open events when there are any).
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from collections.abc import Iterable

from core.domain import Behaviour, BehaviourEvent, Track
from core.edits import Touched
from core.project import Project
from gui.timeline.layout import Lane, build_lanes


class TimelineData:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.video_id: int | None = None
        self.behaviours: list[Behaviour] = []
        self.tracks: list[Track] = []
        self.events: list[BehaviourEvent] = []
        self.labelled: list[int] = []
        self.suggested: list[int] = []
        self.lanes: list[Lane] = []
        self._lanes_frame: int | None = None  # current frame the open bars were resolved at

    # --- reading -------------------------------------------------------------------------------

    def load(self, video_id: int | None, current_frame: int) -> None:
        self.video_id = video_id
        self.reload_catalog()
        self.reload_events()
        self.reload_markers()
        self.rebuild(current_frame)

    def reload_catalog(self) -> None:
        self.behaviours = self.project.behaviours.all()
        self.tracks = self.project.tracks.all()

    def reload_events(self) -> None:
        self.events = [] if self.video_id is None else self.project.events.in_video(self.video_id)

    def reload_markers(self) -> None:
        if self.video_id is None:
            self.labelled, self.suggested = [], []
            return
        self.labelled = sorted({f for _, f in self.project.instances.labeled_frames(self.video_id)})
        self.suggested = sorted({s.frame_index for s in self.project.suggestions.for_video(self.video_id)})

    def rebuild(self, current_frame: int) -> None:
        self.lanes = build_lanes(self.behaviours, self.tracks, self.events, current_frame)
        self._lanes_frame = current_frame

    def recheck_frame(self, frame: int) -> bool:
        """Whether `frame` is labelled, re-read (after an edit on it); returns whether that changed."""
        labelled = bool(self.project.instances.on_frame(self.video_id, frame, source="user"))
        at = bisect.bisect_left(self.labelled, frame)
        was = at < len(self.labelled) and self.labelled[at] == frame
        if labelled and not was:
            self.labelled.insert(at, frame)
        elif was and not labelled:
            del self.labelled[at]
        return labelled != was

    def apply_touched(self, touched: Iterable[Touched], current_frame: int) -> bool:
        """Reload only what an edit touched (an edit on one frame re-reads that frame's
        marker, not the video's); returns whether anything shown may have changed."""
        changed = lanes = False
        for t in touched:
            if t.topic == "catalog":
                self.reload_catalog()
                self.reload_events()  # deleting a behaviour cascades to its events
                changed = lanes = True
            elif t.topic == "events" and t.concerns(self.video_id):
                self.reload_events()
                changed = lanes = True
            elif t.topic == "instances" and self.video_id is not None and t.concerns(self.video_id):
                if t.frame_index is None:
                    self.reload_markers()
                    changed = True
                else:
                    changed = self.recheck_frame(t.frame_index) or changed
        if lanes:
            self.rebuild(current_frame)
        return changed

    def frame_moved(self, current_frame: int) -> bool:
        """Re-resolve open events (drawn up to the current frame); returns whether any exist."""
        if current_frame == self._lanes_frame:
            return False
        self._lanes_frame = current_frame
        running = [lane for lane in self.lanes if lane.running]
        for lane in running:  # only these lanes change; the others keep their bars
            lane.bars = [replace(b, end=max(b.start, current_frame)) if b.is_open else b for b in lane.bars]
            lane.index()
        return bool(running)

    # --- queries -------------------------------------------------------------------------------

    def event(self, event_id: int) -> BehaviourEvent | None:
        return next((e for e in self.events if e.id == event_id), None)

    def behaviour(self, behaviour_id: int) -> Behaviour | None:
        return next((b for b in self.behaviours if b.id == behaviour_id), None)

    def track_name(self, track_id: int | None) -> str:
        return next((t.name for t in self.tracks if t.id == track_id), "no subject")

    def lane_of(self, event_id: int) -> int | None:
        return next((i for i, lane in enumerate(self.lanes) for b in lane.bars if b.event_id == event_id), None)

    def bar(self, event_id: int):
        return next((b for lane in self.lanes for b in lane.bars if b.event_id == event_id), None)

    @staticmethod
    def markers_between(frames: list[int], first: int, last: int) -> list[int]:
        return frames[bisect.bisect_left(frames, first) : bisect.bisect_right(frames, last)]

    def describe(self, event_id: int) -> str:
        """A one-line tooltip for a bar."""
        event = self.event(event_id)
        if event is None:
            return ""
        behaviour = self.behaviour(event.behaviour_id)
        name = behaviour.name if behaviour else "?"
        subject = self.track_name(event.subject_id)
        if event.is_open:
            span = f"from frame {event.start_frame}, still running"
        elif event.end_frame == event.start_frame:
            span = f"frame {event.start_frame}"
        else:
            span = f"frames {event.start_frame}–{event.end_frame} ({event.end_frame - event.start_frame + 1} frames)"
        origin = "predicted" + (f", score {event.score:.2f}" if event.score is not None else "") if event.source == "predicted" else "labelled"
        return f"{name} · {subject}: {span} · {origin}"
