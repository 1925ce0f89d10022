"""The demo project: labelled from the ground truth, exactly, with the full truth kept apart."""

from __future__ import annotations

import numpy as np

from core.cli.main import main
from core.demo import GroundTruth, WorldConfig
from core.project import Project
from core.video import open_video
from core.demo.project import create_demo_project, truth_path

SMALL = WorldConfig(width=160, height=120, seconds=2.0, n_animals=2, seed=3)


def test_demo_labels_equal_the_ground_truth(tmp_path):
    with create_demo_project(tmp_path / "demo", SMALL, labeled_frames=5) as project:
        truth = GroundTruth.load(truth_path(project))
        (video,) = project.videos.all()
        assert (video.frame_count, video.width, video.height) == (SMALL.n_frames, 160, 120)
        labeled = project.instances.labeled_frames()
        assert len(labeled) == 5 and labeled[0] == (video.id, 0) and labeled[-1] == (video.id, SMALL.n_frames - 1)
        tracks = {t.id: n for n, t in enumerate(project.tracks.all())}
        for _, frame in labeled:
            instances = project.instances.on_frame(video.id, frame)
            assert len(instances) == len(truth.frame(frame))
            for instance in instances:
                animal = truth.frame(frame, include_hidden=True)[tracks[instance.track_id]]
                assert np.allclose(instance.keypoints, animal.keypoints)
                assert np.array_equal(instance.mask.to_array(), truth.mask(frame, animal.track_id))
                assert np.allclose(instance.box.as_tuple(), animal.box)
        assert [b.name for b in project.behaviours.all()] == ["walk", "turn", "rest", "groom", "social"]
        assert project.skeletons.find("mouse").symmetries == ((1, 2),)
        assert project.counts().behaviour_events > 0
        with open_video(video.path) as reader:
            assert reader.frame_count == truth.n_frames


def test_ethoframe_demo_no_gui_creates_then_reuses(tmp_path, capsys):
    args = ["demo", str(tmp_path / "d"), "--no-gui", "--seconds", "1", "--animals", "1", "--labeled-frames", "3"]
    assert main(args) == 0
    assert "3 labelled frames" in capsys.readouterr().out
    assert main(args) == 0  # second time: opens what is there, renders nothing
    assert "existing demo project" in capsys.readouterr().err
    with Project.open(tmp_path / "d") as project:
        assert project.counts().frames_labeled == 3
