"""What a track overview shows: for each track, the stretches of frames on which it appears,
and the suspected identity problems. The GUI's track lanes paint these."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.project import Project
from core.tracking.suspects import Suspect, find_suspects


def track_runs(frames: np.ndarray, max_gap: int = 1) -> list[tuple[int, int]]:
    """Consecutive stretches (first, last frame inclusive) of sorted `frames`; frames at most
    `max_gap` apart belong to one stretch (1: only touching frames)."""
    frames = np.asarray(frames, dtype=np.int64)
    if frames.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(frames) > max_gap)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [frames.size - 1]])
    return [(int(frames[s]), int(frames[e])) for s, e in zip(starts, ends)]


@dataclass(frozen=True)
class TrackLane:
    track_id: int
    name: str
    color: str
    runs: list[tuple[int, int]]


@dataclass(frozen=True)
class VideoOverview:
    """What the track lanes show of one video: each track's runs, and the suspected identity
    problems of its predictions (suspects are about a tracker's or a model's mistakes: on
    sparse user labels every gap between labelled frames would look like one)."""

    video_id: int
    frame_count: int
    lanes: list[TrackLane] = field(default_factory=list)
    suspects: list[Suspect] = field(default_factory=list)


def video_overview(project: Project, video_id: int) -> VideoOverview:
    """A whole-video read (seconds on 100,000 predictions): the GUI runs it on a worker."""
    frame_count = max(project.videos.get(video_id).frame_count, 1)
    frames = project.instances.track_frames(video_id)
    lanes = [TrackLane(t.id, t.name, t.color, track_runs(frames[t.id])) for t in project.tracks.all() if t.id in frames]
    suspects = find_suspects(project, video_id, source="predicted") if lanes else []
    return VideoOverview(video_id, frame_count, lanes, suspects)
