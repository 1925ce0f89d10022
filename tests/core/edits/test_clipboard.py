"""Paste instances onto another frame or video, and copy the previous labelled frame."""

from __future__ import annotations

import numpy as np
import pytest

from core import edits
from core.domain import Box, Instance, Rle, Video
from core.edits import EditHistory
from core.project import InvalidEditError


def test_copy_previous_labeled_frame_then_undo(project, video, catalog):
    history = EditHistory(project)
    kp = np.array([[1, 2, 2], [3, 4, 2], [0, 0, 0]], dtype=np.float32)
    project.instances.add(Instance(video.id, 10, track_id=catalog["alice"].id, skeleton_id=catalog["skeleton"].id, keypoints=kp))
    project.instances.add(Instance(video.id, 10, box=Box(0, 0, 5, 5), source="predicted", score=0.3))
    history.push(edits.copy_previous_labeled_frame(project, video.id, 15))
    (copy,) = project.instances.on_frame(video.id, 15)
    assert copy.source == "user" and copy.track_id == catalog["alice"].id and np.array_equal(copy.keypoints, kp)
    assert history.texts()[0] == ["Copy labels of frame 10"]
    history.undo()
    assert project.instances.on_frame(video.id, 15) == []
    with pytest.raises(InvalidEditError, match="no labelled frame"):
        edits.copy_previous_labeled_frame(project, video.id, 5)


def test_paste_to_another_video_drops_masks_of_another_size(project, video):
    other = project.videos.add(Video("/data/other.mp4", 50, 30.0, 320, 240, "e" * 64))
    mask = Rle.from_array(np.ones((480, 640), dtype=bool))
    source = project.instances.add(Instance(video.id, 1, box=Box(1, 1, 9, 9), mask=mask, source="predicted", score=0.8))
    EditHistory(project).push(edits.paste_instances(project, [source], other.id, 7))
    (pasted,) = project.instances.on_frame(other.id, 7)
    assert pasted.mask is None and pasted.box == Box(1, 1, 9, 9) and pasted.source == "user" and pasted.score is None
    with pytest.raises(InvalidEditError, match="outside video"):
        edits.paste_instances(project, [source], other.id, 50)


def test_a_copy_never_takes_a_track_already_on_the_frame(project, video, catalog):
    from core.domain import Box, Instance
    from core.edits import EditHistory, copy_previous_labeled_frame

    alice, bob = catalog["alice"].id, catalog["bob"].id
    project.instances.add(Instance(video.id, 10, track_id=alice, box=Box(0, 0, 5, 5)))
    project.instances.add(Instance(video.id, 10, track_id=bob, box=Box(10, 0, 15, 5)))
    project.instances.add(Instance(video.id, 11, track_id=alice, box=Box(1, 0, 6, 5), source="predicted", score=0.9))
    history = EditHistory(project)
    history.push(copy_previous_labeled_frame(project, video.id, 11))
    tracks = sorted((i.source, i.track_id or 0) for i in project.instances.on_frame(video.id, 11))
    assert tracks == [("predicted", alice), ("user", 0), ("user", bob)]  # alice stays the prediction's
    assert history.texts()[0] == ["Copy labels of frame 10 (1 without its track: taken here)"]
