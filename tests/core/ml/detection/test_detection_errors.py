"""Labels that cannot train detect or segment are refused with a clear TrainingDataError."""

from __future__ import annotations

import numpy as np
import pytest

from core.domain import Box, Instance
from core.ml.tasks.detection import TrainingDataError, build_adapter


def _video_id(project) -> int:
    return project.videos.all()[0].id


def test_no_labels(unlabelled_demo):
    with pytest.raises(TrainingDataError, match="no labels"):
        build_adapter(unlabelled_demo, {}, "detect")


def test_one_labelled_frame_is_too_few(unlabelled_demo):
    unlabelled_demo.instances.add(Instance(_video_id(unlabelled_demo), 3, box=Box(10, 10, 40, 30)))
    with pytest.raises(TrainingDataError, match="at least 2"):
        build_adapter(unlabelled_demo, {}, "detect")


def test_keypoint_labels_belong_to_another_task(unlabelled_demo):
    video = _video_id(unlabelled_demo)
    keypoints = np.array([[20, 20, 2], [30, 25, 2]], np.float32)
    unlabelled_demo.instances.add_many([Instance(video, i, keypoints=keypoints) for i in (0, 10, 20)])
    with pytest.raises(TrainingDataError, match="keypoints"):
        build_adapter(unlabelled_demo, {}, "detect")


def test_boxes_without_masks_cannot_train_segment_but_train_detect(unlabelled_demo):
    video = _video_id(unlabelled_demo)
    unlabelled_demo.instances.add_many([Instance(video, i, box=Box(10, 10, 40, 30)) for i in (0, 10, 20)])
    with pytest.raises(TrainingDataError, match="boxes only"):
        build_adapter(unlabelled_demo, {}, "segment")
    adapter = build_adapter(unlabelled_demo, {}, "detect")
    assert adapter.classes.names == ("animal",) and adapter.classes.ids == (None,)


def test_polygons_train_segment(unlabelled_demo):
    video = _video_id(unlabelled_demo)
    square = np.array([[10, 10], [40, 10], [40, 30], [10, 30]], float)
    unlabelled_demo.instances.add_many([Instance(video, i, polygons=(square,)) for i in (0, 30)])
    adapter = build_adapter(unlabelled_demo, {}, "segment")
    target = adapter.targets[0]
    assert target.masks[0].area == 31 * 21 and target.boxes.tolist() == [[10.0, 10.0, 41.0, 31.0]]


def test_unknown_task_and_options(tiny_demo):
    with pytest.raises(ValueError, match="detect or segment"):
        build_adapter(tiny_demo, {}, "pose")
    with pytest.raises(ValueError, match="unknown option"):
        build_adapter(tiny_demo, {"epochs": 3}, "detect")
    with pytest.raises(ValueError, match="unknown augmentation option"):
        build_adapter(tiny_demo, {"augment": {"mixup": 1.0}}, "detect")
