"""Proofreading identities: swap two tracks from a frame on, give an instance another track
from a frame on, merge, split and delete tracks. Every one is one undoable edit.

These change only which track instances belong to: a prediction whose track is corrected stays
a prediction (its pose is still the model's), unlike a moved node, which makes it a label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.domain import Track
from core.domain.palette import unused_colour
from core.edits.base import CompositeEdit, Edit, Touched
from core.edits.event_edits import ChangeEvent
from core.edits.record_edits import DeleteRecord
from core.project import InvalidEditError, Project


@dataclass
class Retrack(Edit):
    """Give instances other tracks: `changes` maps instance id -> (track before, track after)."""

    changes: dict[int, tuple[int | None, int | None]]
    text: str = "Change tracks"
    video_id: int | None = None
    frame_index: int | None = None  # the one frame changed, when only one is

    def apply(self, project: Project) -> None:
        self._set(project, after=True)

    def revert(self, project: Project) -> None:
        self._set(project, after=False)

    def _set(self, project: Project, after: bool) -> None:
        groups: dict[int | None, list[int]] = {}
        for instance_id, (before, later) in self.changes.items():
            groups.setdefault(later if after else before, []).append(instance_id)
        with project.transaction():
            for track_id, ids in groups.items():
                project.instances.set_track(ids, track_id)

    def touched(self) -> tuple[Touched, ...]:
        tracks = {t for pair in self.changes.values() for t in pair} - {None}
        return (Touched("instances", self.video_id, self.frame_index, tuple(self.changes), tuple(sorted(tracks)), predicted=True),)


@dataclass
class SplitTrack(Edit):
    """A new track (kept with the same id on redo) and the instances that move to it."""

    track: Track
    instance_ids: list[int]
    old_track_id: int
    text: str = "Split track"
    video_id: int | None = None
    _made: Track | None = field(default=None, repr=False)

    def apply(self, project: Project) -> None:
        with project.transaction():
            self._made = project.tracks.add(self._made or self.track)
            project.instances.set_track(self.instance_ids, self._made.id)

    def revert(self, project: Project) -> None:
        with project.transaction():
            project.instances.set_track(self.instance_ids, self.old_track_id)
            project.tracks.delete(self._made.id)

    @property
    def new_track(self) -> Track | None:
        """The track made (with its id) once applied."""
        return self._made

    def touched(self) -> tuple[Touched, ...]:
        made = (self._made.id,) if self._made else ()
        tracks = (self.old_track_id, *made)
        return (Touched("catalog"), Touched("instances", self.video_id, None, tuple(self.instance_ids), tracks, predicted=True))


def _instances_from(project: Project, video_id: int, from_frame: int, tracks: set[int]) -> list[tuple[int, int, int]]:
    """(instance id, frame, track id) of the instances of `tracks` on frames >= `from_frame`."""
    project.videos.get(video_id)  # NotFoundError for an unknown video
    return project.instances.track_members(video_id, tracks, max(from_frame, 0))


def swap_tracks(project: Project, video_id: int, track_a: int, track_b: int, from_frame: int) -> Retrack:
    """From `from_frame` to the end of the video, `track_a`'s instances take `track_b` and the
    other way round: the one command that fixes an identity swap."""
    if track_a == track_b:
        raise InvalidEditError("swapping a track with itself changes nothing")
    a, b = project.tracks.get(track_a), project.tracks.get(track_b)
    found = _instances_from(project, video_id, from_frame, {track_a, track_b})
    changes = {i: (t, track_b if t == track_a else track_a) for i, _, t in found}
    return Retrack(changes, f"Swap {a.name} and {b.name} from frame {from_frame}", video_id)


def assign_track(project: Project, instance_id: int, track_id: int, from_frame: int | None = None) -> Edit:
    """Give an instance `track_id`; from `from_frame` (default: its own frame) on, its current
    track and `track_id` trade places. An instance without a track just takes `track_id`, and
    whatever instance had `track_id` on that frame loses it (one animal per track per frame)."""
    instance = project.instances.get(instance_id)
    target = project.tracks.get(track_id)
    if instance.track_id == track_id:
        raise InvalidEditError(f"the instance is already on track {target.name!r}")
    from_frame = instance.frame_index if from_frame is None else from_frame
    if instance.track_id is not None:
        edit = swap_tracks(project, instance.video_id, instance.track_id, track_id, from_frame)
        edit.changes[instance_id] = (instance.track_id, track_id)  # even if it lies before from_frame
        edit.text = f"Assign to {target.name} from frame {from_frame}"
        return edit
    changes: dict[int, tuple[int | None, int | None]] = {instance_id: (None, track_id)}
    for other in project.instances.on_frame(instance.video_id, instance.frame_index):
        if other.track_id == track_id and other.id != instance_id:
            changes[other.id] = (track_id, None)
    return Retrack(changes, f"Assign to {target.name}", instance.video_id, instance.frame_index)


def track_for_new_instance(project: Project, video_id: int, frame_index: int, track_id: int | None) -> int | None:
    """The track a new instance on (video, frame) takes: `track_id`, unless an instance there
    already has it (one animal per track per frame), then none — never a second copy of an
    identity because it was the last one chosen."""
    if track_id is None:
        return None
    taken = {other.track_id for other in project.instances.on_frame(video_id, frame_index)}
    return None if track_id in taken else track_id


def merge_tracks(project: Project, keep_id: int, merge_id: int, allow_overlap: bool = False) -> CompositeEdit:
    """`merge_id`'s instances (in every video) and behaviour events take `keep_id`, and
    `merge_id` is deleted. Refused when both tracks have an instance on the same frame (two
    animals would share one identity there) unless `allow_overlap`."""
    if keep_id == merge_id:
        raise InvalidEditError("merging a track with itself changes nothing")
    keep, gone = project.tracks.get(keep_id), project.tracks.get(merge_id)
    moved = project.instances.with_track(merge_id)
    kept = project.instances.with_track(keep_id)
    if not allow_overlap and moved and kept:
        frames_kept = {(i.video_id, i.frame_index) for i in map(project.instances.get, kept)}
        clashes = sorted(f for f in ((i.video_id, i.frame_index) for i in map(project.instances.get, moved)) if f in frames_kept)
        if clashes:
            video_id, frame = clashes[0]
            raise InvalidEditError(
                f"{gone.name!r} and {keep.name!r} are both on {len(clashes)} frame(s) (first: frame {frame} of "
                f"video {video_id}); swap or delete those instances first"
            )
    parts: list[Edit] = [Retrack({i: (merge_id, keep_id) for i in moved}, video_id=None)]
    for video in project.videos.all():
        for event in project.events.in_video(video.id):
            if event.subject_id == merge_id:
                parts.append(ChangeEvent(event.id, {"subject_id": merge_id}, {"subject_id": keep_id}, video_id=video.id))
    parts.append(DeleteRecord("tracks", merge_id))
    return CompositeEdit(f"Merge {gone.name} into {keep.name}", parts)


def split_track(
    project: Project, video_id: int, track_id: int, from_frame: int, name: str | None = None, color: str | None = None
) -> SplitTrack:
    """From `from_frame` on (in one video), `track_id`'s instances go to a new track."""
    track = project.tracks.get(track_id)
    found = _instances_from(project, video_id, from_frame, {track_id})
    if not found:
        raise InvalidEditError(f"track {track.name!r} has no instance from frame {from_frame} on")
    names = {t.name for t in project.tracks.all()}
    if name is None:
        number = 2
        while f"{track.name} ({number})" in names:
            number += 1
        name = f"{track.name} ({number})"
    made = Track(name, color or _other_color(project))
    return SplitTrack(made, [i for i, _, _ in found], track_id, f"Split {track.name} at frame {from_frame}", video_id)


def delete_track(project: Project, track_id: int) -> DeleteRecord:
    """Delete a track; its instances stay, without a track (undo gives it back to them)."""
    track = project.tracks.get(track_id)
    return DeleteRecord("tracks", track_id, text=f"Delete track {track.name}")


def _other_color(project: Project) -> str:
    return unused_colour(t.color for t in project.tracks.all())
