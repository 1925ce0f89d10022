"""Tracking a video of the project: read its instances in chunks of frames, run the tracker,
and write the identities back through the store, one transaction per chunk.

The tracker's numbers become Track records named "animal 1", "animal 2", ... (an existing
track of that name is reused, so running the tracker again, or on another video of the same
animals, keeps the same names). Instances the tracker leaves unassigned (a false detection
beyond `max_animals`, a prediction seen too briefly to be an animal) lose their track.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from core.domain import Track
from core.domain.palette import colour_for
from core.project import Project
from core.runtime.cancel import CancelToken, ProgressCallback, check_cancel, report
from core.tracking.features import detection_from_instance, typical_size
from core.tracking.tracker import Tracker, TrackerOptions

CHUNK_FRAMES = 500


@dataclass(frozen=True)
class TrackSummary:
    """What `track_video` did: the tracks its animals got (ids, in the order they appeared),
    how many of them it created, and how many instances got a track or none."""

    video_id: int
    source: str
    frames: int
    instances: int
    instances_tracked: int
    track_ids: tuple[int, ...]
    tracks_created: int
    emptied_track_ids: tuple[int, ...] = field(default=())  # tracks left with no instance at all

    @property
    def instances_untracked(self) -> int:
        return self.instances - self.instances_tracked

    def describe(self) -> str:
        """One sentence for the status line, e.g. "tracked 1,180 of 1,200 instances on 600
        frames: 3 tracks (1 new); 20 left without a track"."""
        tracks = len(self.track_ids)
        text = (f"tracked {self.instances_tracked:,} of {self.instances:,} instances on {self.frames:,} frames: "
                f"{tracks} track{'s' * (tracks != 1)} ({self.tracks_created} new)")  # fmt: skip
        if self.instances_untracked:
            text += f"; {self.instances_untracked:,} left without a track"
        return text


def track_video(
    project: Project,
    video_id: int,
    source: Literal["predicted", "user"] = "predicted",
    max_animals: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    *,
    options: TrackerOptions | None = None,
    name_prefix: str = "animal",
) -> TrackSummary:
    """Give every `source` instance of a video a track (or none), replacing their tracks.

    `max_animals` overrides `options.max_animals`. Each chunk of frames commits on its own: when
    `cancel` is set, `core.runtime.cancel.Cancelled` is raised and the frames before it keep their new
    tracks, the rest their old ones. Raises `NotFoundError` for an unknown video and
    `ValueError` for a bad source or `max_animals`.
    """
    if source not in ("predicted", "user"):
        raise ValueError(f"the source to track is 'predicted' or 'user', not {source!r}")
    if max_animals is not None and max_animals < 1:
        raise ValueError(f"the number of animals must be at least 1, not {max_animals}")
    video = project.videos.get(video_id)
    options = options or TrackerOptions()
    if max_animals is not None:
        options = TrackerOptions(**{**options.__dict__, "max_animals": max_animals})
    stop = max(video.frame_count, _last_frame(project, video_id, source) + 1)
    old_tracks: set[int] = set()

    tracker: Tracker | None = None
    numbered: dict[int, int] = {}  # tracker number -> track id
    created = 0
    instance_ids: dict[tuple[int, int], int] = {}  # (frame, detection index) -> instance id
    pending: set[tuple[int, int]] = set()
    counts = {"instances": 0, "tracked": 0, "frames": 0}
    for start in range(0, stop, CHUNK_FRAMES):
        check_cancel(cancel, f"tracking stopped at frame {start} (frames before it are tracked)")
        by_frame = project.instances.on_frames(video_id, start, min(start + CHUNK_FRAMES, stop), source)
        if tracker is None and by_frame:
            sample = [detection_from_instance(i) for frame in by_frame.values() for i in frame]
            tracker = Tracker(options, typical_size(sample))
        settled = []
        for frame in sorted(by_frame):
            instances = by_frame[frame]
            detections = [detection_from_instance(inst, k) for k, inst in enumerate(instances)]
            for k, inst in enumerate(instances):
                instance_ids[(frame, k)] = inst.id
                if inst.track_id is not None:
                    old_tracks.add(inst.track_id)
                pending.add((frame, k))
            settled += tracker.step(frame, detections)
            counts["instances"] += len(instances)
            counts["frames"] += 1
        waiting = tracker.waiting() if tracker else set()
        with project.transaction():
            groups: dict[int | None, list[int]] = {}
            for frame, k, number in settled:
                if number not in numbered:
                    numbered[number], made = _track_for(project, f"{name_prefix} {number + 1}", number)
                    created += made
                groups.setdefault(numbered[number], []).append(instance_ids[(frame, k)])
                pending.discard((frame, k))
                counts["tracked"] += 1
            dropped = pending - waiting
            groups.setdefault(None, []).extend(instance_ids[key] for key in dropped)
            pending -= dropped
            for track_id, ids in groups.items():
                if ids:
                    project.instances.set_track(ids, track_id)
        for key in [key for key in instance_ids if key not in pending]:
            del instance_ids[key]
        report(progress, min(start + CHUNK_FRAMES, stop), stop)
    if pending:
        project.instances.set_track([instance_ids[key] for key in pending], None)
    emptied = tuple(t for t in sorted(old_tracks - set(numbered.values())) if not project.instances.with_track(t))
    return TrackSummary(
        video_id, source, counts["frames"], counts["instances"], counts["tracked"],
        tuple(numbered[n] for n in sorted(numbered)), created, emptied,
    )  # fmt: skip


def _track_for(project: Project, name: str, number: int) -> tuple[int, int]:
    """The id of the track called `name`, made if needed; and 1 if it was made, else 0."""
    existing = project.tracks.find(name)
    if existing is not None:
        return existing.id, 0
    return project.tracks.add(Track(name, colour_for(number))).id, 1


def _last_frame(project: Project, video_id: int, source: str) -> int:
    frames = [f for v, f in project.instances.labeled_frames(video_id, source)]
    return frames[-1] if frames else -1
