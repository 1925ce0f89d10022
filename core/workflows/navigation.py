"""Where "next" goes: the next labelled frame, the next suggestion not labelled yet, the next
video. Pure functions over what the store holds, so the window's keys are tested here."""

from __future__ import annotations

from collections.abc import Iterable

from core.project import Project


def next_in(frames: Iterable[int], here: int, direction: int) -> int | None:
    """The nearest of `frames` strictly after `here` (direction +1) or before it (-1)."""
    candidates = [f for f in frames if (f - here) * direction > 0]
    if not candidates:
        return None
    return min(candidates) if direction > 0 else max(candidates)


def next_labeled_frame(project: Project, video_id: int, here: int, direction: int = 1) -> int | None:
    return next_in((f for _, f in project.instances.labeled_frames(video_id)), here, direction)


def next_unlabeled_suggestion(project: Project, video_id: int, here: int, direction: int = 1) -> int | None:
    """The next suggested frame that has no user label yet (what a labeller works through):
    of this labeller's own queue when suggestions were split among a team (`suggest --assign`),
    with those assigned to nobody; never a frame given to someone else."""
    labeled = {f for _, f in project.instances.labeled_frames(video_id)}
    mine = (None, project.user)
    suggested = {s.frame_index for s in project.suggestions.for_video(video_id) if s.assigned_to in mine} - labeled
    return next_in(suggested, here, direction)


def next_video(project: Project, video_id: int | None, direction: int = 1) -> int | None:
    ids = [v.id for v in project.videos.all()]
    if not ids:
        return None
    if video_id not in ids:
        return ids[0]
    return ids[(ids.index(video_id) + direction) % len(ids)]
