"""Edits of behaviour events, and the ask-functions behind BORIS-style keyboard coding:
press a behaviour's key to start a state event, press it again to stop it; a point event is
one frame."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.domain import BehaviourEvent
from core.edits.base import Edit, Touched
from core.project import InvalidEditError, Project


@dataclass
class AddEvent(Edit):
    event: BehaviourEvent
    text: str = "Add behaviour event"

    def apply(self, project: Project) -> None:
        self.event = project.events.add(self.event)

    def revert(self, project: Project) -> None:  # refused if someone changed it since
        project.events.delete(self.event.id, expected_version=_version(self.event))

    def touched(self) -> tuple[Touched, ...]:
        return (Touched("events", self.event.video_id),)


@dataclass
class DeleteEvent(Edit):
    event_id: int
    text: str = "Delete behaviour event"
    _deleted: BehaviourEvent | None = field(default=None, repr=False)

    def apply(self, project: Project) -> None:
        self._deleted = project.events.delete(self.event_id, expected_version=_version(self._deleted))

    def revert(self, project: Project) -> None:
        self._deleted = project.events.add(self._deleted)

    def touched(self) -> tuple[Touched, ...]:
        return (Touched("events", self._deleted.video_id if self._deleted else None),)


@dataclass
class ChangeEvent(Edit):
    event_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    text: str = "Change behaviour event"
    video_id: int | None = None
    gesture: tuple | None = None
    version: int | None = None  # the event's version this edit expects (see ChangeInstance)
    read_version: int | None = None

    def __post_init__(self) -> None:
        if self.read_version is None:
            self.read_version = self.version

    def apply(self, project: Project) -> None:
        self.version = _version(project.events.update(self.event_id, expected_version=self.version, **self.after))

    def revert(self, project: Project) -> None:
        self.version = _version(project.events.update(self.event_id, expected_version=self.version, **self.before))

    def merge(self, later: Edit) -> bool:
        if self.gesture is None or not isinstance(later, ChangeEvent) or later.gesture != self.gesture:
            return False
        if later.read_version is not None and later.read_version != self.version:
            return False  # someone else wrote between the two
        self.after = {**self.after, **later.after}
        self.before = {**later.before, **self.before}
        self.version = later.version
        return True

    def touched(self) -> tuple[Touched, ...]:
        return (Touched("events", self.video_id),)


def _version(event: BehaviourEvent | None) -> int | None:
    return None if event is None or event.stamp is None else event.stamp.version


def _change(project: Project, event_id: int, text: str, gesture: tuple | None = None, **after: Any) -> ChangeEvent:
    event = project.events.get(event_id)
    try:
        event.with_changes(**after)  # checks the new range before anything is written
    except ValueError as error:
        raise InvalidEditError(str(error)) from None
    if event.source == "predicted":
        after["source"] = "user"
    before = {name: getattr(event, name) for name in after}
    return ChangeEvent(event_id, before, after, text, event.video_id, gesture, version=_version(event))


def start_state_event(
    project: Project, video_id: int, behaviour_id: int, frame: int, subject_id: int | None = None
) -> AddEvent:
    """Begin coding a state behaviour at `frame` (the event stays open until stopped)."""
    behaviour = project.behaviours.get(behaviour_id)
    if behaviour.kind != "state":
        raise InvalidEditError(f"{behaviour.name!r} is a point event; it has no start and stop")
    if project.events.open_event(video_id, behaviour_id, subject_id) is not None:
        raise InvalidEditError(f"{behaviour.name!r} is already running for this subject; stop it first")
    event = BehaviourEvent(video_id, behaviour_id, frame, None, subject_id)
    return AddEvent(event, f"Start {behaviour.name}")


def stop_state_event(project: Project, event_id: int, frame: int) -> ChangeEvent:
    event = project.events.get(event_id)
    if frame < event.start_frame:
        raise InvalidEditError(
            f"cannot stop at frame {frame}: the event started at frame {event.start_frame}"
        )
    name = project.behaviours.get(event.behaviour_id).name
    return _change(project, event_id, f"Stop {name}", end_frame=frame)


def toggle_state_event(
    project: Project, video_id: int, behaviour_id: int, frame: int, subject_id: int | None = None
) -> Edit:
    """What a behaviour's key does: start the behaviour, or stop it if it is running; a point
    behaviour is recorded at this frame."""
    behaviour = project.behaviours.get(behaviour_id)
    if behaviour.kind == "point":
        return add_point_event(project, video_id, behaviour_id, frame, subject_id)
    running = project.events.open_event(video_id, behaviour_id, subject_id)
    if running is None:
        return start_state_event(project, video_id, behaviour_id, frame, subject_id)
    return stop_state_event(project, running.id, frame)


def add_point_event(
    project: Project, video_id: int, behaviour_id: int, frame: int, subject_id: int | None = None
) -> AddEvent:
    behaviour = project.behaviours.get(behaviour_id)
    return AddEvent(BehaviourEvent(video_id, behaviour_id, frame, frame, subject_id), f"Mark {behaviour.name}")


def add_state_event(
    project: Project, video_id: int, behaviour_id: int, start: int, end: int, subject_id: int | None = None
) -> AddEvent:
    """A whole bout at once (drawn on the timeline, or imported)."""
    behaviour = project.behaviours.get(behaviour_id)
    try:
        event = BehaviourEvent(video_id, behaviour_id, start, end, subject_id)
    except ValueError as error:
        raise InvalidEditError(str(error)) from None
    return AddEvent(event, f"Add {behaviour.name}")


def resize_event(
    project: Project, event_id: int, start: int, end: int, gesture: tuple | None = None
) -> ChangeEvent:
    if end < start:
        raise InvalidEditError(f"an event cannot end (frame {end}) before it starts (frame {start})")
    return _change(project, event_id, "Resize behaviour event", gesture, start_frame=start, end_frame=end)


def set_event_subject(project: Project, event_id: int, subject_id: int | None) -> ChangeEvent:
    if subject_id is not None:
        project.tracks.get(subject_id)
    return _change(project, event_id, "Set subject", subject_id=subject_id)
