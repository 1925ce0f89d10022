"""Reading a `Dataset` out of a project, for the writers: labels, predictions or both.

Ids stay the project's ids (they are unique, which is all a writer needs from them). A pose
prediction's nodes under its model's node threshold come out unlabelled (visibility 0), so every
writer writes them as missing; the project keeps them with their scores.
"""

from __future__ import annotations

from typing import Literal

from core.interchange.dataset import Dataset
from core.domain.node_threshold import threshold_predictions
from core.project import Project

What = Literal["labels", "predictions", "both"]
_SOURCE = {"labels": "user", "predictions": "predicted", "both": None}
_LAST_FRAME = 2**31 - 1


def collect(project: Project, what: What = "both", video_ids: list[int] | None = None) -> Dataset:
    """Everything of `what` in the project (or in some of its videos), ordered by video, frame
    and instance id."""
    if what not in _SOURCE:
        raise ValueError(f"export labels, predictions or both, not {what!r}")
    source = _SOURCE[what]
    videos = [v for v in project.videos.all() if video_ids is None or v.id in video_ids]
    dataset = Dataset(
        source=project.folder,
        videos=videos,
        label_classes=project.label_classes.all(),
        skeletons=project.skeletons.all(),
        tracks=project.tracks.all(),
        behaviours=project.behaviours.all(),
    )
    thresholds = project.models.node_thresholds()
    for video in videos:
        for frame_index, instances in sorted(project.instances.on_frames(video.id, 0, _LAST_FRAME, source).items()):
            for instance in threshold_predictions(instances, thresholds):
                dataset.add_instance(instance)
        dataset.events.extend(project.events.in_video(video.id, source=source))
        if what != "predictions":
            dataset.suggestions.extend(project.suggestions.for_video(video.id))
    return dataset
