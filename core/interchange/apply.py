"""Writing a `Dataset` into a project: all of it in one transaction, or none of it.

Videos are probed and fingerprinted, every number and shape checked against the frames
(`validation.validate_dataset`) and every reference checked *before* the transaction opens
(as `core.workflows.videos.add_videos` does), so a bad file costs nothing. Label
classes, skeletons, tracks and behaviours merge by name with what the project already holds;
a video already in the project (same path, or for a file that is not here, the same name) is
reused rather than added twice.

Importing a file again (or an updated version of it) merges (`merge.plan_merge`): unchanged
instances are not added twice, changed ones are updated in place, and `preview_import` says how
many of each before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from core.domain import Skeleton, Suggestion, Video
from core.interchange.dataset import Dataset
from core.interchange.errors import InterchangeError, MalformedFileError
from core.interchange.merge import MergePlan, origin_of, plan_merge
from core.interchange.validation import validate_dataset
from core.project import Project
from core.video import VideoError, fingerprint_file, probe_video

Progress = Callable[[int, int], None]
CHUNK = 2000
EDGE_TOLERANCE_PX = 2.0  # labellers click on the border; a point further out is a wrong file


@dataclass(frozen=True)
class ImportSummary:
    """What an import brought into the project."""

    format: str
    path: str
    videos: int = 0
    frames: int = 0
    instances_user: int = 0
    instances_predicted: int = 0
    label_classes: int = 0
    skeletons: int = 0
    nodes: int = 0
    tracks: int = 0
    behaviours: int = 0
    events: int = 0
    suggestions: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_not_in_file: int = 0
    edited_here: int = 0
    events_unchanged: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do, before it does it: `counts` of what the file holds (see
    `Dataset.counts`) and `merge` (new, updated, unchanged, kept_not_in_file, edited_here, events_new,
    events_unchanged) against what earlier imports of the same file brought in."""

    format: str
    counts: dict
    merge: dict
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        m = self.merge
        line = f"{m['new']} new, {m['updated']} updated, {m['unchanged']} unchanged"
        if m["edited_here"]:
            line += f"; {m['edited_here']} changed here since they were imported stay as they are"
        if m["kept_not_in_file"]:
            line += f" ({m['kept_not_in_file']} from an earlier import of this file, no longer in it, are kept)"
        if m["events_new"] or m["events_unchanged"]:
            line += f"; events: {m['events_new']} new, {m['events_unchanged']} unchanged"
        return line


def preview_import(project: Project, dataset: Dataset, format: str = "") -> ImportPreview:
    """Check `dataset` against `project` and plan the merge, writing nothing."""
    dataset, videos, plan = _prepare(project, dataset, format)
    return ImportPreview(format, dataset.counts(), plan.counts(), tuple(dataset.notes))


def _prepare(project: Project, dataset: Dataset, format: str) -> tuple[Dataset, dict[int, Video], MergePlan]:
    dataset = replace(dataset, notes=list(dataset.notes))
    videos = _resolve_videos(project, dataset, dataset.notes)
    dataset = validate_dataset(dataset, {local: (v.width, v.height) for local, v in videos.items() if v.width and v.height})
    _check(dataset, videos)
    return dataset, videos, plan_merge(project, dataset, videos, origin_of(dataset, format))


def apply_dataset(project: Project, dataset: Dataset, format: str = "", progress: Progress | None = None) -> ImportSummary:
    """Write `dataset` into `project` in one transaction, merging with earlier imports of the
    same file; returns what came in."""
    dataset, videos, plan = _prepare(project, dataset, format)
    notes = list(dataset.notes)
    total = len(plan.new) + len(plan.updates) + len(plan.new_events)
    origin = plan.origin
    with project.transaction():
        video_ids = {local: (v.id if v.id is not None else project.videos.add(v).id) for local, v in videos.items()}
        class_ids = _merge(project.label_classes, dataset.label_classes)
        track_ids = _merge(project.tracks, dataset.tracks)
        behaviour_ids = _merge(project.behaviours, dataset.behaviours)
        skeleton_ids = {s.id: _merge_skeleton(project, s, notes) for s in dataset.skeletons}

        def mapped(i):
            return replace(
                i, id=None, video_id=video_ids[i.video_id], model_id=None, origin=origin,
                class_id=class_ids.get(i.class_id), track_id=track_ids.get(i.track_id), skeleton_id=skeleton_ids.get(i.skeleton_id),
            )  # fmt: skip

        done = 0
        for start in range(0, len(plan.new), CHUNK):
            chunk = plan.new[start : start + CHUNK]
            project.instances.add_many(mapped(dataset.instances[n]) for n in chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
        for start in range(0, len(plan.updates), CHUNK):  # an update: the old row out, the file's instance in
            chunk = plan.updates[start : start + CHUNK]
            for instance_id, _ in chunk:
                project.instances.delete(instance_id)
            project.instances.add_many(mapped(dataset.instances[n]) for _, n in chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
        project.events.add_many([
            replace(e, id=None, model_id=None, video_id=video_ids[e.video_id],
                    behaviour_id=behaviour_ids[e.behaviour_id], subject_id=track_ids.get(e.subject_id))
            for e in (dataset.events[n] for n in plan.new_events)
        ])  # fmt: skip
        if progress:
            progress(total, total)
        suggestions = _add_suggestions(project, dataset.suggestions, video_ids)
    counts = dataset.counts()
    merge = plan.counts()
    return ImportSummary(
        format=format, path=str(dataset.source or ""), videos=len(videos), frames=counts["frames"],
        instances_user=counts["instances_user"], instances_predicted=counts["instances_predicted"],
        label_classes=counts["label_classes"], skeletons=counts["skeletons"], nodes=counts["nodes"],
        tracks=counts["tracks"], behaviours=counts["behaviours"], events=counts["events"],
        suggestions=suggestions, new=merge["new"], updated=merge["updated"], unchanged=merge["unchanged"],
        kept_not_in_file=merge["kept_not_in_file"], edited_here=merge["edited_here"], events_unchanged=merge["events_unchanged"], notes=tuple(notes),
    )  # fmt: skip


def _resolve_videos(project: Project, dataset: Dataset, notes: list[str]) -> dict[int, Video]:
    """Each local video as a project video: one already there, a probed file, or a record of a
    file that is not on this machine (the user relinks it later)."""
    existing = project.videos.all()
    by_path = {v.path: v for v in existing}
    by_name = {Path(v.path).name: v for v in existing}
    resolved: dict[int, Video] = {}
    for video in dataset.videos:
        path = Path(video.path).expanduser()
        absolute = str(path.resolve()) if path.exists() else str(path)
        if absolute in by_path:
            resolved[video.id] = by_path[absolute]
        elif path.exists():
            try:
                info = probe_video(absolute)
                fingerprint = fingerprint_file(absolute)
            except VideoError as error:
                raise InterchangeError(f"{dataset.source}: cannot read the video it names: {error}") from None
            resolved[video.id] = Video(absolute, info.frame_count, info.fps, info.width, info.height, fingerprint, video.name)
        elif path.name in by_name:
            resolved[video.id] = by_name[path.name]
        else:
            frames = [i.frame_index for i in dataset.instances if i.video_id == video.id]
            frames += [e.end_frame or e.start_frame for e in dataset.events if e.video_id == video.id]
            count = max(video.frame_count, max(frames, default=-1) + 1)
            resolved[video.id] = replace(video, frame_count=count, fps=video.fps or 30.0, id=None)
            notes.append(f"video {video.path} is not on this machine: recorded as missing, relink it to see frames")
    return resolved


def _check(dataset: Dataset, videos: dict[int, Video]) -> None:
    """Every reference resolves, frames exist, keypoints match their skeleton and lie on the frame."""
    skeletons = dataset.by_id("skeletons")
    known = {kind: set(dataset.by_id(kind)) for kind in ("label_classes", "tracks", "behaviours")}
    where = dataset.source or "the imported data"
    for number, (instance, origin) in enumerate(zip(dataset.instances, dataset.origins)):
        record = origin or f"instance {number + 1}"
        video = videos.get(instance.video_id)
        if video is None:
            raise MalformedFileError(where, f"refers to video {instance.video_id}, which it does not define", record)
        if not 0 <= instance.frame_index < max(video.frame_count, 1):
            raise MalformedFileError(
                where, f"frame {instance.frame_index} is outside {Path(video.path).name} ({video.frame_count} frames)", record
            )
        if instance.class_id is not None and instance.class_id not in known["label_classes"]:
            raise MalformedFileError(where, f"refers to class {instance.class_id}, which it does not define", record)
        if instance.track_id is not None and instance.track_id not in known["tracks"]:
            raise MalformedFileError(where, f"refers to track {instance.track_id}, which it does not define", record)
        if instance.keypoints is not None:
            skeleton = skeletons.get(instance.skeleton_id)
            if skeleton is None:
                raise MalformedFileError(where, "has keypoints but no skeleton", record)
            if len(instance.keypoints) != len(skeleton.nodes):
                raise MalformedFileError(
                    where, f"has {len(instance.keypoints)} keypoints; skeleton {skeleton.name!r} has {len(skeleton.nodes)} nodes", record
                )
            if instance.source == "user" and video.width and video.height:
                _check_on_frame(instance.keypoints, video, skeleton, where, record)
    for number, event in enumerate(dataset.events):
        if event.behaviour_id not in known["behaviours"] or event.video_id not in videos:
            raise MalformedFileError(where, "refers to a behaviour or video it does not define", f"event {number + 1}")


def _check_on_frame(keypoints: np.ndarray, video: Video, skeleton: Skeleton, where, record: str) -> None:
    labelled = keypoints[keypoints[:, 2] > 0]
    x, y = labelled[:, 0], labelled[:, 1]
    outside = (x < -EDGE_TOLERANCE_PX) | (y < -EDGE_TOLERANCE_PX) | (x > video.width + EDGE_TOLERANCE_PX) | (y > video.height + EDGE_TOLERANCE_PX)
    if outside.any():
        node = skeleton.nodes[int(np.flatnonzero(keypoints[:, 2] > 0)[np.argmax(outside)])]
        raise MalformedFileError(
            where, f"keypoint {node!r} at ({x[outside][0]:g}, {y[outside][0]:g}) is outside the {video.width}x{video.height} frame", record
        )


def _merge(table, records: list) -> dict[int, int]:
    """Local id -> project id, reusing a project record with the same name."""
    mapping: dict[int, int] = {}
    for record in records:
        found = table.find(record.name)
        mapping[record.id] = found.id if found is not None else table.add(replace(record, id=None)).id
    return mapping


def _merge_skeleton(project: Project, skeleton: Skeleton, notes: list[str]) -> int:
    for candidate in project.skeletons.all():
        if candidate.nodes == skeleton.nodes and candidate.name == skeleton.name:
            return candidate.id
    name, n = skeleton.name, 1
    while project.skeletons.find(name) is not None:
        n += 1
        name = f"{skeleton.name}-{n}"
    if name != skeleton.name:
        notes.append(f"the project already has a different skeleton {skeleton.name!r}: this one was added as {name!r}")
    return project.skeletons.add(replace(skeleton, name=name, id=None)).id


def _add_suggestions(project: Project, suggestions: list[Suggestion], video_ids: dict[int, int]) -> int:
    added = 0
    seen = {(s.video_id, s.frame_index, s.method) for s in project.suggestions.all()}
    for suggestion in suggestions:
        key = (video_ids[suggestion.video_id], suggestion.frame_index, suggestion.method)
        if key not in seen:
            seen.add(key)
            project.suggestions.add(replace(suggestion, video_id=key[0], id=None))
            added += 1
    return added
