"""Re-imports merge: which instances of a file are new, which update an instance an earlier
import of the same file brought in, and which are unchanged (pure planning; nothing written).

An imported instance carries its `origin` ("coco:results.json"). Importing a file of that name
again compares each of its instances with the project's instances of that origin on the same
video, frame and source (label or prediction):

1. same content (class, track, skeleton, shapes and points, scores; to 1/1000 of a pixel):
   unchanged, nothing written;
2. else the same track: that instance is updated;
3. else the nearest one whose centre lies within half the instance's size (at least 16 px):
   updated (an untracked box moved, a keypoint corrected);
4. else new.

An instance changed in Ethoframe since it came in (edited, given another track: its stamp has a
`changed_at`) is never overwritten: a match with other content counts as `edited_here` and
stays as it is. An update is written as the old row deleted and the file's instance added (so it
carries no `changed_at` and the next re-import may update it again). Labels of that origin that
the new file no longer holds are kept (a file is not a deletion list), and counted. Behaviour events have no origin: an event equal to one in the project
(behaviour, subject, frames, source) is unchanged, others are new.

Classes, tracks and skeletons are compared by name (and skeletons by their nodes), since the
file's records are not in the project yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.domain import Instance, Video
from core.interchange.dataset import Dataset
from core.project import Project

MIN_MATCH_PX = 16.0
TOLERANCE_PX = 1e-3
_LAST_FRAME = 2**31 - 1


@dataclass
class MergePlan:
    """`new`: indices into `dataset.instances` to add; `updates`: `(project instance id,
    index)` pairs; `unchanged`: indices already in the project as they are; `kept`: project
    instances of this origin the file no longer holds; `edited_here`: matched instances changed
    in Ethoframe since their import, left as they are; `new_events`: indices into
    `dataset.events` to add, `unchanged_events` the rest."""

    origin: str
    new: list[int] = field(default_factory=list)
    updates: list[tuple[int, int]] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    kept: int = 0
    edited_here: int = 0
    new_events: list[int] = field(default_factory=list)
    unchanged_events: int = 0

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "updated": len(self.updates), "unchanged": len(self.unchanged),
                "kept_not_in_file": self.kept, "edited_here": self.edited_here, "events_new": len(self.new_events), "events_unchanged": self.unchanged_events}  # fmt: skip


def origin_of(dataset: Dataset, format: str) -> str:
    """The origin an import of `dataset` stamps on its instances: `format:file name`."""
    return f"{format or 'import'}:{Path(dataset.source).name}" if dataset.source else (format or "import")


def plan_merge(project: Project, dataset: Dataset, videos: dict[int, Video], origin: str) -> MergePlan:
    """Match the dataset's instances (local ids; `videos` maps them to project videos, `id`
    None for a video not in the project yet) against the project's instances of `origin`."""
    plan = MergePlan(origin)
    names = _Names(project, dataset)
    by_video: dict[int, list[int]] = {}
    for index, instance in enumerate(dataset.instances):
        by_video.setdefault(instance.video_id, []).append(index)
    for local, indices in by_video.items():
        video = videos.get(local)
        if video is None or video.id is None:  # a video new to the project holds nothing yet
            plan.new.extend(indices)
            continue
        existing: dict[tuple[int, str], list[Instance]] = {}
        for frame, instances in project.instances.on_frames(video.id, 0, _LAST_FRAME).items():
            for instance in instances:
                if instance.origin == origin:
                    existing.setdefault((frame, instance.source), []).append(instance)
        incoming: dict[tuple[int, str], list[int]] = {}
        for index in indices:
            instance = dataset.instances[index]
            incoming.setdefault((instance.frame_index, instance.source), []).append(index)
        for key, group in incoming.items():
            _match(plan, group, existing.pop(key, []), dataset, names)
        plan.kept += sum(len(left) for left in existing.values())
    _plan_events(plan, project, dataset, videos, names)
    return plan


def _match(plan: MergePlan, group: list[int], candidates: list[Instance], dataset: Dataset, names: "_Names") -> None:
    left = list(candidates)
    pending = []
    for index in group:  # 1. unchanged
        mine = names.incoming(dataset.instances[index])
        same = next((c for c in left if _same(mine, names.existing(c))), None)
        if same is not None:
            left.remove(same)
            plan.unchanged.append(index)
        else:
            pending.append((index, mine))
    rest = []
    for index, mine in pending:  # 2. the same track
        same = next((c for c in left if mine["track"] is not None and names.existing(c)["track"] == mine["track"]), None)
        if same is not None:
            left.remove(same)
            _update(plan, same, index)
        else:
            rest.append((index, mine))
    for index, mine in rest:  # 3. nearest within reach; 4. new
        centre, size = _centre(dataset.instances[index])
        best, best_distance = None, max(MIN_MATCH_PX, size / 2)
        for candidate in left:
            other, _ = _centre(candidate)
            if centre is not None and other is not None and np.hypot(*(centre - other)) <= best_distance:
                best, best_distance = candidate, float(np.hypot(*(centre - other)))
        if best is not None:
            left.remove(best)
            _update(plan, best, index)
        else:
            plan.new.append(index)
    plan.kept += len(left)


def _update(plan: MergePlan, existing: Instance, index: int) -> None:
    if existing.stamp is not None and existing.stamp.changed_at is not None:  # a person changed it here
        plan.edited_here += 1
    else:
        plan.updates.append((existing.id, index))


class _Names:
    """Instances as comparable contents, their ids replaced by names (the file's ids are local)."""

    def __init__(self, project: Project, dataset: Dataset) -> None:
        self.project = {kind: {r.id: r for r in getattr(project, kind).all()} for kind in ("label_classes", "tracks", "skeletons", "behaviours")}
        self.local = {kind: dataset.by_id(kind) for kind in ("label_classes", "tracks", "skeletons", "behaviours")}

    def incoming(self, instance: Instance) -> dict:
        return self._content(instance, self.local)

    def existing(self, instance: Instance) -> dict:
        return self._content(instance, self.project)

    def event(self, event, tables) -> tuple:
        behaviour = tables["behaviours"].get(event.behaviour_id)
        subject = tables["tracks"].get(event.subject_id)
        return (behaviour.name if behaviour else None, subject.name if subject else None, event.start_frame, event.end_frame, event.source)

    @staticmethod
    def _content(instance: Instance, tables: dict) -> dict:
        name = lambda kind, key: tables[kind][key].name if key in tables[kind] else None  # noqa: E731
        skeleton = tables["skeletons"].get(instance.skeleton_id)
        return {
            "class": name("label_classes", instance.class_id), "track": name("tracks", instance.track_id),
            "skeleton": skeleton.nodes if skeleton else None, "instance": instance,
        }  # fmt: skip


def _same(a: dict, b: dict) -> bool:
    if (a["class"], a["track"], a["skeleton"]) != (b["class"], b["track"], b["skeleton"]):
        return False
    x, y = a["instance"], b["instance"]
    if (x.box is None) != (y.box is None) or (x.box is not None and not np.allclose(x.box.as_tuple(), y.box.as_tuple(), atol=TOLERANCE_PX)):
        return False
    if len(x.polygons) != len(y.polygons) or not all(p.shape == q.shape and np.allclose(p, q, atol=TOLERANCE_PX) for p, q in zip(x.polygons, y.polygons)):
        return False
    if (x.mask is None) != (y.mask is None) or (x.mask is not None and x.mask != y.mask):
        return False
    for u, v in ((x.keypoints, y.keypoints), (x.keypoint_scores, y.keypoint_scores)):
        if (u is None) != (v is None) or (u is not None and (u.shape != v.shape or not np.allclose(u, v, atol=TOLERANCE_PX))):
            return False
    return (x.score is None) == (y.score is None) and (x.score is None or abs(x.score - y.score) <= TOLERANCE_PX)


def _centre(instance: Instance) -> tuple[np.ndarray | None, float]:
    """An instance's centre and size (the diagonal of its extent), from its box, mask, polygons
    or labelled keypoints."""
    box = instance.box or (instance.mask.bounding_box() if instance.mask is not None else None)
    if box is not None:
        return np.array([(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2]), float(np.hypot(box.x2 - box.x1, box.y2 - box.y1))
    points = None
    if instance.polygons:
        points = np.concatenate(instance.polygons)
    elif instance.keypoints is not None and (instance.keypoints[:, 2] > 0).any():
        points = instance.keypoints[instance.keypoints[:, 2] > 0, :2].astype(np.float64)
    if points is None:
        return None, 0.0
    return points.mean(axis=0), float(np.hypot(*(points.max(axis=0) - points.min(axis=0))))


def _plan_events(plan: MergePlan, project: Project, dataset: Dataset, videos: dict[int, Video], names: _Names) -> None:
    seen: dict[int, set] = {}
    for index, event in enumerate(dataset.events):
        video = videos.get(event.video_id)
        if video is None or video.id is None:
            plan.new_events.append(index)
            continue
        if video.id not in seen:
            seen[video.id] = {names.event(e, names.project) for e in project.events.in_video(video.id)}
        key = names.event(event, names.local)
        if key in seen[video.id]:
            plan.unchanged_events += 1
        else:
            seen[video.id].add(key)
            plan.new_events.append(index)
