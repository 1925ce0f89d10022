"""SLEAP files: the real test data, a round trip, importing some frames, and a damaged file."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from core.interchange import MalformedFileError, detect_format, export, import_file
from core.interchange.slp import import_slp, read_slp

from interchange_helpers import fill, snapshot


def test_clip_has_1500_frames_of_two_flies(data, new_project):
    project = new_project("p")
    summary = import_file(project, data / "sleap" / "clip.slp")
    assert (summary.frames, summary.instances_user, summary.nodes, summary.tracks) == (1500, 3000, 13, 2)
    (video,) = project.videos.all()
    assert video.path == str(data / "sleap" / "clip.mp4") and video.frame_count == 1500
    (skeleton,) = project.skeletons.all()
    assert skeleton.nodes[:3] == ("head", "thorax", "abdomen") and len(skeleton.edges) == 12
    assert sorted(t.name for t in project.tracks.all()) == ["female", "male"]
    first = project.instances.on_frame(video.id, 0)
    assert len(first) == 2 and all(i.keypoints.shape == (13, 3) for i in first)
    assert {project.tracks.get(i.track_id).name for i in first} == {"male", "female"}


def test_predictions_and_their_stale_video_path(data, new_project):
    project = new_project("p")
    summary = import_file(project, data / "sleap" / "centered_pair_predictions.slp")
    assert (summary.instances_predicted, summary.tracks, summary.nodes) == (2274, 27, 24)
    (video,) = project.videos.all()  # stored as tests/data/json_format_v1/...: found beside the .slp
    assert video.path == str(data / "sleap" / "centered_pair_low_quality.mp4") and video.frame_count == 1100
    some = project.instances.on_frame(video.id, 0)
    assert all(i.is_predicted and i.score is not None and i.keypoint_scores.shape == (24,) for i in some)


def test_user_and_predicted_instances_together(data, new_project):
    project = new_project("p")
    summary = import_file(project, data / "sleap" / "dance.mp4.labels.slp")
    assert (summary.instances_user, summary.instances_predicted, summary.nodes) == (3, 450, 17)
    assert project.counts().frames_labeled == 3


def test_importing_some_frames_only(data, new_project):
    project = new_project("p")
    summary = import_slp(project, data / "sleap" / "clip.slp", frames=range(100, 110))
    assert (summary.frames, summary.instances_user) == (10, 20)
    (video,) = project.videos.all()
    assert sorted(f for _, f in project.instances.labeled_frames(video.id)) == list(range(100, 110))


def test_round_trip_of_real_data(data, tmp_path, new_project):
    first = new_project("a")
    import_file(first, data / "sleap" / "dance.mp4.labels.slp")
    import_slp(first, data / "sleap" / "clip.slp", frames=range(0, 50))
    export(first, tmp_path / "out.slp")
    second = new_project("b")
    import_file(second, tmp_path / "out.slp")
    assert snapshot(second, digits=3) == snapshot(first, digits=3)


def test_round_trip_keeps_occluded_points_scores_tracks_and_suggestions(tmp_path, new_project):
    first = new_project("a")
    fill(first, tmp_path / "frames", {"pose", "pred"})
    summary = export(first, tmp_path / "out.slp", what="both")
    assert any("without keypoints" in n for n in summary.notes) is False
    second = new_project("b")
    import_file(second, tmp_path / "out.slp")
    assert snapshot(second, fields=("track", "pose", "source")) == snapshot(first, fields=("track", "pose", "source"))
    assert [(s.frame_index) for s in second.suggestions.all()] == [5]
    predicted = second.instances.on_frame(second.videos.all()[0].id, 3)[0]
    assert np.allclose(predicted.keypoint_scores, [0.9, 0.8, 0.5])


def test_a_damaged_file_changes_nothing(data, tmp_path, new_project):
    broken = tmp_path / "broken.slp"
    broken.write_bytes((data / "sleap" / "clip.slp").read_bytes()[:5000])
    assert detect_format(broken) == "slp"
    project = new_project("p")
    before = project.counts()
    with pytest.raises(MalformedFileError, match="broken.slp"):
        import_file(project, broken)
    assert project.counts() == before


def test_video_found_beside_a_moved_slp(data, tmp_path):
    shutil.copy(data / "sleap" / "clip.slp", tmp_path / "clip.slp")
    shutil.copy(data / "sleap" / "clip.mp4", tmp_path / "clip.mp4")
    dataset = read_slp(tmp_path / "clip.slp", frames=[0])
    assert dataset.videos[0].path == str((tmp_path / "clip.mp4").resolve())
