"""Copying instances between frames and videos: paste, and "copy the previous labelled frame
here", which is how a labeller moves through a video fast (the animals barely moved; drag the
nodes that did)."""

from __future__ import annotations

from core.domain import Instance
from core.edits.base import CompositeEdit
from core.edits.instance_edits import AddInstance
from core.project import InvalidEditError, Project


def paste_instances(project: Project, instances: list[Instance], video_id: int, frame_index: int) -> CompositeEdit:
    """New user labels on (video, frame) copied from `instances` (their ids and scores dropped;
    masks are only carried to a video of the same size). A copy keeps its track unless an
    instance there already has it (one animal per track per frame): then it comes without one,
    and the edit's name says so."""
    video = project.videos.get(video_id)
    if not 0 <= frame_index < video.frame_count:
        raise InvalidEditError(f"frame {frame_index} is outside video {video.display_name} (0..{video.frame_count - 1})")
    if not instances:
        raise InvalidEditError("there is nothing to paste")
    taken = {other.track_id for other in project.instances.on_frame(video_id, frame_index)} - {None}
    copies, untracked = [], 0
    for instance in instances:
        track_id = instance.track_id
        if track_id in taken:
            track_id, untracked = None, untracked + 1
        elif track_id is not None:
            taken.add(track_id)
        mask = instance.mask
        if mask is not None and (mask.height, mask.width) != (video.height, video.width):
            mask = None
        copies.append(
            AddInstance(
                instance.with_changes(
                    id=None, video_id=video_id, frame_index=frame_index, source="user", score=None,
                    keypoint_scores=None, model_id=None, origin=None, mask=mask, track_id=track_id,
                )
            )
        )  # fmt: skip
    noun = "instance" if len(copies) == 1 else "instances"
    note = f" ({untracked} without its track: taken here)" if untracked else ""
    return CompositeEdit(f"Paste {len(copies)} {noun}{note}", copies)


def copy_previous_labeled_frame(project: Project, video_id: int, frame_index: int) -> CompositeEdit:
    """Paste here the user labels of the nearest labelled frame before this one."""
    earlier = [f for v, f in project.instances.labeled_frames(video_id) if f < frame_index]
    if not earlier:
        raise InvalidEditError("no labelled frame comes before this one")
    source = project.instances.on_frame(video_id, earlier[-1], source="user")
    edit = paste_instances(project, source, video_id, frame_index)
    edit.text = f"Copy labels of frame {earlier[-1]}" + edit.text[edit.text.find(" (") :] * (" (" in edit.text)
    return edit
