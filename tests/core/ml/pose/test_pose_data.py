"""Pose training data: clear errors for projects that cannot train it, and exact heatmap
encoding and sub-pixel decoding."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.domain import Box, Instance, LabelClass, Skeleton, Video
from core.ml.tasks.errors import TrainingDataError
from core.ml.tasks.pose import build_adapter
from core.ml.tasks.pose.data import load_pose_labels
from core.ml.tasks.pose.heatmaps import global_peaks, local_peaks, render_targets


@pytest.fixture
def labelled(project):
    video = project.videos.add(Video("/data/arena.mp4", 300, 30.0, 640, 480, "f" * 64))
    mouse = project.label_classes.add(LabelClass("mouse", "#ffe119"))
    skeleton = project.skeletons.add(Skeleton.from_names("mouse", ["snout", "tail"], [("snout", "tail")]))
    return project, video, mouse, skeleton


def pose(video, frame, mouse, skeleton, x=10.0):
    keypoints = np.array([[x, 20, 2], [x + 30, 25, 2]], np.float32)
    return Instance(video.id, frame, class_id=mouse.id, skeleton_id=skeleton.id, keypoints=keypoints)


def test_no_labels_is_a_clear_error(project):
    with pytest.raises(TrainingDataError, match="no labels"):
        build_adapter(project, {})


def test_labels_of_another_task_are_a_clear_error(labelled):
    project, video, mouse, _ = labelled
    project.instances.add_many(Instance(video.id, f, class_id=mouse.id, box=Box(0, 0, 5, 5)) for f in range(5))
    with pytest.raises(TrainingDataError, match="no keypoints"):
        build_adapter(project, {})


def test_too_few_labelled_frames_is_a_clear_error(labelled):
    project, video, mouse, skeleton = labelled
    project.instances.add(pose(video, 0, mouse, skeleton))
    project.instances.add(pose(video, 0, mouse, skeleton, x=60))  # two animals, still one frame
    with pytest.raises(TrainingDataError, match="at least 2 frames"):
        build_adapter(project, {})


def test_labels_are_split_by_frame_and_unknown_options_refused(labelled):
    project, video, mouse, skeleton = labelled
    project.instances.add_many(pose(video, f, mouse, skeleton) for f in range(0, 300, 10))
    labels = load_pose_labels(project)
    assert labels.skeleton.id == skeleton.id and labels.class_id == mouse.id
    assert len(labels.train) + len(labels.val) == 30 and labels.val
    assert not {f.key for f in labels.train} & {f.key for f in labels.val}
    with pytest.raises(ValueError, match="unknown pose option"):
        build_adapter(project, {"bakbone": "resnet18"})


@pytest.mark.parametrize("stride", [2, 4])
def test_heatmap_peaks_are_read_back_to_sub_pixel_precision(stride):
    points = torch.tensor([[[13.3, 21.8], [40.05, 7.6]]])
    maps = render_targets(points, torch.ones(1, 2), (32, 32), stride, sigma=2.5 if stride == 2 else 4.0)
    found, values = global_peaks(maps, stride)
    assert torch.allclose(found, points, atol=0.05) and (values > 0.8).all()
    peaks, _ = local_peaks(maps[0].amax(0), stride, threshold=0.5)
    assert len(peaks) == 2 and torch.cdist(peaks, points[0]).min(1).values.max() < 0.05


def test_unlabelled_nodes_get_empty_targets():
    maps = render_targets(torch.tensor([[[5.0, 5.0], [float("nan"), 0.0]]]), torch.tensor([[1.0, 0.0]]), (8, 8), 2, 2.0)
    assert maps[0, 0].max() > 0.9 and maps[0, 1].abs().max() == 0
