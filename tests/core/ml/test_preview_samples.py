"""What the Train dialog and models panel read from core: which tasks the labels can train,
augmented samples whose labels moved with the pixels, and model summaries with their label
snapshot."""

from __future__ import annotations

import numpy as np
import pytest

from core.demo import WorldConfig
from core.domain import Box, Instance, ModelRecord, TrainingRun, Video
from core.ml.preview_samples import (
    augmented_samples,
    model_summaries,
    task_availability,
)
from core.ml.tasks.errors import TrainingDataError
from core.demo.project import create_demo_project


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("samples") / "demo"
    project = create_demo_project(folder, WorldConfig(width=320, height=240, seconds=2, n_animals=2, seed=5), labeled_frames=3)
    yield project
    project.close()


def test_availability_names_what_is_missing(project):
    video = project.videos.add(Video("/data/arena.mp4", 30, 30.0, 64, 48, "f" * 64))
    assert all(task_availability(project).values())  # no labels: every task has a reason
    project.instances.add(Instance(video.id, 0, box=Box(1, 1, 10, 10)))
    available = task_availability(project)
    assert available["detect"] is None and "keypoint" in available["pose"] and "mask" in available["segment"]
    assert "two behaviours" in available["behaviour"]


def test_behaviour_is_available_once_two_behaviours_are_coded(project):
    from core.domain import Behaviour, BehaviourEvent

    video = project.videos.add(Video("/data/arena.mp4", 30, 30.0, 64, 48, "f" * 64))
    walk, rest = project.behaviours.add(Behaviour("walk", "w")), project.behaviours.add(Behaviour("rest", "r"))
    project.events.add(BehaviourEvent(video.id, walk.id, 0, 9))
    assert task_availability(project)["behaviour"] is not None
    project.events.add(BehaviourEvent(video.id, rest.id, 10, 19))
    assert task_availability(project)["behaviour"] is None


@pytest.mark.parametrize("task", ["detect", "segment"])
def test_box_samples_carry_their_labels(demo, task):
    samples = augmented_samples(demo, task, n=4, seed=3)
    assert len(samples) == 4
    for image, instances in samples:
        assert image.dtype == np.uint8 and image.shape == (240, 320, 3)
        assert instances and all(i["label"] == "mouse" for i in instances)
        for instance in instances:
            x1, y1, x2, y2 = instance["box"]
            assert 0 <= x1 < x2 <= 320 and 0 <= y1 < y2 <= 240
            if task == "segment":
                mask = instance["mask"]
                _ys, xs = np.nonzero(mask)
                assert mask.shape == (240, 320) and xs.min() >= x1 - 1 and xs.max() <= x2 + 1


def test_unaugmented_box_sample_is_the_frame(demo):
    ((_image, instances),) = augmented_samples(demo, "detect", n=1, options={"augment": False})
    truth = demo.instances.labeled_frames(source="user")[0]
    user = demo.instances.on_frame(*truth, source="user")
    assert sorted(tuple(round(v) for v in i["box"]) for i in instances) == sorted(
        tuple(round(v) for v in u.box.normalized().as_tuple()) for u in user)


def test_pose_samples_are_crops_with_keypoints(demo):
    samples = augmented_samples(demo, "pose", n=3, seed=1)
    assert len(samples) == 3
    for image, (instance,) in samples:
        assert image.ndim == 3 and image.shape[2] == 3
        assert instance["edges"] and len(instance["keypoints"]) == len(demo.skeletons.all()[0].nodes)
        visible = [(x, y) for x, y, v in instance["keypoints"] if v > 0]
        assert visible and all(-5 <= x <= image.shape[1] + 5 and -5 <= y <= image.shape[0] + 5 for x, y in visible)


def test_no_labels_raise_a_training_data_error(project):
    project.videos.add(Video("/data/arena.mp4", 30, 30.0, 64, 48, "f" * 64))
    with pytest.raises(TrainingDataError):
        augmented_samples(project, "detect")


def test_model_summaries_join_the_run_snapshot(project):
    model = project.models.add(ModelRecord("detect 1", "detect", "models/detect-001", metrics={"val_box_map50": 0.5, "val_box_map": 0.3, "val_box_map75": 0.2}))
    project.training_runs.add(TrainingRun("detect", label_snapshot={"frames_labeled": 12}, model_id=model.id, status="finished",
                                          metrics={"stopped": "finished"}))
    (summary,) = model_summaries(project)
    assert summary.id == model.id and summary.frames_labeled == 12
    assert summary.metrics == {"val_box_map50": 0.5, "val_box_map": 0.3} and summary.stopped == "finished"

