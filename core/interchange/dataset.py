"""The in-memory bundle every format reader produces and every writer consumes.

A `Dataset` holds plain `core.domain` objects whose ids are *local*: `Instance.video_id`
points at the `Video` of this bundle with that id, not at a project row. `apply.py` maps them
onto a project (merging by name) in one transaction; `collect.py` reads one out of a project.
Keeping readers free of the store is what makes a malformed file change nothing: everything is
parsed and checked before the first row is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from core.domain import Behaviour, BehaviourEvent, Instance, LabelClass, Skeleton, Suggestion, Track, Video
from core.domain.palette import colour_for


@dataclass
class Dataset:
    """Videos, catalog records, instances, behaviour events and suggestions with local ids.

    `origins[i]` names where `instances[i]` came from ("annotation 17") so a check made after
    reading can still point at the record; `notes` are what the user should know (data the
    format or Ethoframe could not keep).
    """

    source: Path | None = None
    videos: list[Video] = field(default_factory=list)
    label_classes: list[LabelClass] = field(default_factory=list)
    skeletons: list[Skeleton] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    behaviours: list[Behaviour] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    events: list[BehaviourEvent] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    origins: list[str | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    # --- building (readers) ------------------------------------------------------------------

    def add_video(self, path: str | Path, frame_count: int = 0, fps: float = 0.0, width: int = 0,
                  height: int = 0, name: str | None = None) -> int:
        """A video by its path (a file or an image folder, which may not exist); its local id."""
        video_id = len(self.videos) + 1
        self.videos.append(Video(str(path), frame_count, fps, width, height, "", name, video_id))
        return video_id

    def video_for_path(self, path: str | Path, **facts) -> int:
        """The local id of the video at `path`, adding it on first use."""
        wanted = str(path)
        for video in self.videos:
            if video.path == wanted:
                return video.id
        return self.add_video(path, **facts)

    def label_class(self, name: str, color: str | None = None) -> int:
        return _named(self.label_classes, name, lambda i: LabelClass(name, color or colour_for(i), i))

    def track(self, name: str, color: str | None = None) -> int:
        return _named(self.tracks, name, lambda i: Track(name, color or colour_for(i + 3), i))

    def behaviour(self, name: str, key: str | None = None, kind: str = "state", color: str | None = None) -> int:
        return _named(self.behaviours, name, lambda i: Behaviour(name, key, color or colour_for(i + 5), kind, i))

    def add_skeleton(self, skeleton: Skeleton) -> int:
        existing = next((s for s in self.skeletons if s.name == skeleton.name), None)
        if existing is not None and existing.nodes == skeleton.nodes:
            return existing.id
        if existing is not None:
            skeleton = replace(skeleton, name=f"{skeleton.name}-{len(self.skeletons) + 1}")
        skeleton = replace(skeleton, id=len(self.skeletons) + 1)
        self.skeletons.append(skeleton)
        return skeleton.id

    def add_instance(self, instance: Instance, origin: str | None = None) -> None:
        self.instances.append(instance)
        self.origins.append(origin)

    # --- reading -------------------------------------------------------------------------------

    def by_id(self, kind: str) -> dict:
        """`{local id: record}` of `videos`, `label_classes`, `skeletons`, `tracks` or `behaviours`."""
        return {record.id: record for record in getattr(self, kind)}

    def counts(self) -> dict[str, int]:
        """What an import would bring in: the numbers a preview shows."""
        frames = {(i.video_id, i.frame_index) for i in self.instances}
        return {
            "videos": len(self.videos),
            "frames": len(frames),
            "instances_user": sum(1 for i in self.instances if i.source == "user"),
            "instances_predicted": sum(1 for i in self.instances if i.source == "predicted"),
            "label_classes": len(self.label_classes),
            "skeletons": len(self.skeletons),
            "nodes": sum(len(s.nodes) for s in self.skeletons),
            "tracks": len(self.tracks),
            "behaviours": len(self.behaviours),
            "events": len(self.events),
            "suggestions": len(self.suggestions),
        }


def _named(records: list, name: str, make) -> int:
    for record in records:
        if record.name == name:
            return record.id
    record = make(len(records) + 1)
    records.append(record)
    return record.id
