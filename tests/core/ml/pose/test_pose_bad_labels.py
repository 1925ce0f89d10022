"""Pose training on awkward labels: one labelled frame, a node nobody labelled, animals cut
by the frame's edge, videos of different sizes. Each gives a clear message or a model that
trains and predicts, never a crash or a silent empty model."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.domain import Instance, Skeleton
from core.ml.events import collect
from core.ml.tasks.errors import TrainingDataError
from core.ml.tasks.pose import build_adapter
from core.ml.trainer import TrainConfig, Trainer
from core.workflows.videos import add_videos

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from video_files import write_test_video  # noqa: E402

FAST = {"batch_size": 2, "samples_per_epoch": 4, "decoder_channels": 16}
NODES = ("head", "body", "tail")


def _mouse(video_id: int, frame: int, skeleton_id: int, x: float, y: float, tail_visible: bool = True) -> Instance:
    keypoints = np.array([[x, y, 2], [x + 10, y, 2], [x + 20, y, 2 if tail_visible else 0]], np.float32)
    return Instance(video_id, frame, skeleton_id=skeleton_id, keypoints=keypoints)


def _labelled(project, tmp_path, sizes=((64, 48),), frames=(0, 5, 10, 15), tail_visible=True, place=None):
    skeleton = project.skeletons.add(Skeleton("mouse", NODES, edges=((0, 1), (1, 2))))
    videos = add_videos(project, [write_test_video(tmp_path / f"v{w}x{h}.mp4", width=w, height=h) for w, h in sizes])
    for video in videos:
        for frame in frames:
            x, y = place(video, frame) if place else (10 + frame, 20)
            project.instances.add(_mouse(video.id, frame, skeleton.id, x, y, tail_visible))
    return videos


def _trains(adapter, tmp_path) -> list[float]:
    torch.set_num_threads(1)
    events = []
    Trainer(adapter, TrainConfig(epochs=2, warmup_steps=1, patience=0), tmp_path / "run", collect(events)).fit()
    return [e["loss"] for e in events if e["event"] == "step"]


def test_one_labelled_frame_is_a_clear_message(project, tmp_path):
    _labelled(project, tmp_path, frames=(3,))
    with pytest.raises(TrainingDataError, match="at least 2 frames"):
        build_adapter(project, FAST)


def test_a_node_nobody_labelled_is_named_before_training_and_still_predicted(project, tmp_path):
    _labelled(project, tmp_path, tail_visible=False)
    adapter = build_adapter(project, FAST)
    assert any("tail" in w and "never labelled" in w for w in adapter.warnings)
    losses = _trains(adapter, tmp_path)
    assert losses and all(np.isfinite(losses))
    predictor = adapter.predictor(adapter.build_model(), torch.device("cpu"))
    for instances in predictor.predict(adapter.val_frames):
        for instance in instances:  # the unlabelled node is placed, with its own (low) score
            assert instance.keypoints.shape == (3, 3) and np.isfinite(instance.keypoint_scores).all()


def test_animals_cut_by_the_frame_edge_train(project, tmp_path):
    def at_the_edge(video, frame):
        return (-8.0, 2.0) if frame % 2 else (50.0, 40.0)  # nose off the left edge, tail off the right

    _labelled(project, tmp_path, place=at_the_edge)
    adapter = build_adapter(project, FAST)
    losses = _trains(adapter, tmp_path)
    assert losses and all(np.isfinite(losses))


def test_videos_of_different_sizes_train_and_predict(project, tmp_path):
    _labelled(project, tmp_path, sizes=((64, 48), (96, 80)))
    adapter = build_adapter(project, FAST)
    assert len({frame.shape[:2] for frame in adapter.val_frames + [f for f, _ in adapter.train_samples.whole_frames]}) >= 2
    losses = _trains(adapter, tmp_path)
    assert losses and all(np.isfinite(losses))
    predictor = adapter.predictor(adapter.build_model(), torch.device("cpu"))
    small, large = np.zeros((48, 64, 3), np.uint8), np.zeros((80, 96, 3), np.uint8)
    assert len(predictor.predict([small, large])) == 2


def test_the_anchor_is_the_node_most_often_labelled_near_the_middle():
    from core.ml.tasks.pose.config import choose_anchor_node

    mouse = np.array([[0, 0, 2], [10, 0, 2], [20, 0, 2]], np.float32)  # head, body, tail
    assert choose_anchor_node([mouse, mouse + [3, 1, 0]]) == 1
    no_body = mouse.copy()
    no_body[1, 2] = 0
    assert choose_anchor_node([no_body] * 9 + [mouse]) in (0, 2)  # the body is labelled too rarely
    assert choose_anchor_node([]) == -1


def test_labels_bunched_in_one_stretch_of_a_video_are_named(project, tmp_path):
    skeleton = project.skeletons.add(Skeleton("mouse", NODES))
    (video,) = add_videos(project, [write_test_video(tmp_path / "long.mp4", frames=60)])
    for frame in range(0, 20, 2):  # frames 0-18 of 60
        project.instances.add(_mouse(video.id, frame, skeleton.id, 10 + frame, 20))
    adapter = build_adapter(project, FAST)
    assert any("lie in frames 0-18 of 60" in w and "spread over" in w for w in adapter.warnings)
    project.instances.add(_mouse(video.id, 55, skeleton.id, 30, 20))
    assert not any("lie in frames" in w for w in build_adapter(project, FAST).warnings)
