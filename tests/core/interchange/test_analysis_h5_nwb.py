"""Trajectory exports for analysis: SLEAP's analysis HDF5 read back with plain h5py, NWB read
back with pynwb + ndx-pose (the readers their users have), and exports writing the path named."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from core.cli import main as cli
from core.domain import Instance, Skeleton, Video
from core.interchange import InterchangeError, export
from core.interchange.slp import import_slp

from interchange_helpers import fill, keypoints


def _nwb(path):
    import ndx_pose  # noqa: F401  (registers the extension's types with pynwb)
    from pynwb import NWBHDF5IO

    io = NWBHDF5IO(str(path), "r")
    return io, io.read()


def test_analysis_h5_layout_read_with_h5py(tmp_path, new_project):
    project = new_project("p")
    fill(project, tmp_path / "frames")
    summary = export(project, tmp_path / "out.h5", what="both")
    assert summary.format == "h5" and summary.files == (str(tmp_path / "out.h5"),)
    with h5py.File(tmp_path / "out.h5", "r") as f:
        tracks = f["tracks"][:].T  # SLEAP's documented reading: (frames, nodes, 2, tracks)
        names = [n.decode() for n in f["track_names"][:]]
        assert [n.decode() for n in f["node_names"][:]] == ["snout", "ear_l", "ear_r"]
        assert tracks.shape == (6, 3, 2, 2)  # the whole video, 3 nodes, alice and bob
        alice, bob = names.index("alice"), names.index("bob")
        assert tracks[0, 0, :, alice].tolist() == [10.5, 12.375]
        assert np.isnan(tracks[0, 2, :, alice]).all()  # unlabelled node: NaN
        assert np.isnan(tracks[1:4, :, :, alice]).all()  # alice's gap stays a gap
        occupancy = f["track_occupancy"][:]  # (frames, tracks)
        assert occupancy[:, alice].tolist() == [1, 0, 0, 0, 1, 0]
        assert occupancy[:, bob].tolist() == [0, 0, 0, 1, 0, 0]
        scores = f["point_scores"][:].T  # (frames, nodes, tracks)
        assert scores[3, :, bob] == pytest.approx([0.9, 0.8, 0.5])
        assert f["instance_scores"][:].T[3, bob] == pytest.approx(0.75)
        assert f["video_path"][()].decode().endswith("frames")
        assert f["video_fps"][()] > 0


def test_analysis_h5_labels_only_and_several_videos(tmp_path, new_project):
    project = new_project("p")
    fill(project, tmp_path / "frames")
    export(project, tmp_path / "labels.h5", what="labels")
    with h5py.File(tmp_path / "labels.h5", "r") as f:
        assert [n.decode() for n in f["track_names"][:]] == ["alice"]  # bob has only a prediction
    other = project.videos.add(Video(str(tmp_path / "gone.mp4"), 10, 25.0, 64, 48, ""))
    skeleton = project.skeletons.all()[0]
    project.instances.add_many([Instance(other.id, 2, None, None, skeleton.id, keypoints=keypoints([1, 2, 2], [3, 4, 2], [5, 6, 2]))])
    with pytest.raises(InterchangeError, match="give a folder"):
        export(project, tmp_path / "both.h5", "h5")
    assert not (tmp_path / "both.h5").exists()
    summary = export(project, tmp_path / "analysis", "h5")
    assert sorted(p.rsplit("/", 1)[1] for p in summary.files) == ["frames.analysis.h5", "gone.analysis.h5"]


def test_analysis_h5_of_real_sleap_tracks(data, tmp_path, new_project):
    project = new_project("flies")
    import_slp(project, data / "sleap" / "centered_pair_predictions.slp", frames=range(0, 200))
    export(project, tmp_path / "pair.h5", what="predictions")
    import sleap_io as sio

    original = sio.load_slp(str(data / "sleap" / "centered_pair_predictions.slp"), open_videos=False)
    with h5py.File(tmp_path / "pair.h5", "r") as f:
        tracks = f["tracks"][:].T
        names = [n.decode() for n in f["track_names"][:]]
        assert tracks.shape[1:3] == (len(original.skeletons[0].nodes), 2)
        frame = next(lf for lf in original.labeled_frames if lf.frame_idx == 100)
        for instance in frame.instances:
            if instance.track is not None and type(instance).__name__ == "PredictedInstance":
                got = tracks[100, :, :, names.index(instance.track.name)]
                np.testing.assert_allclose(got, instance.numpy(), atol=1e-3, equal_nan=True)


def test_nwb_read_with_pynwb_and_ndx_pose(tmp_path, new_project):
    project = new_project("p")
    fill(project, tmp_path / "frames")
    summary = export(project, tmp_path / "poses.nwb")
    assert summary.files == (str(tmp_path / "poses.nwb"),)
    from pynwb import validate

    assert validate(path=str(tmp_path / "poses.nwb")) == []  # the NWB schema and ndx-pose's, as pynwb checks them
    fps = project.videos.all()[0].fps
    io, nwbfile = _nwb(tmp_path / "poses.nwb")
    with io:
        behavior = nwbfile.processing["behavior"]
        skeleton = behavior["Skeletons"]["mouse"]
        assert list(skeleton.nodes[:]) == ["snout", "ear_l", "ear_r"] and skeleton.edges[:].tolist() == [[0, 1], [0, 2]]
        alice = behavior["alice"]
        snout = alice.pose_estimation_series["snout"]
        assert snout.data[:].tolist() == [[10.5, 12.375], [20.0, 22.0]]  # frames 0 and 4: the gap is kept
        assert snout.timestamps[:] == pytest.approx([0.0, 4 / fps])
        assert np.isnan(alice.pose_estimation_series["ear_r"].data[0]).all()
        assert alice.pose_estimation_series["ear_l"].timestamps[:] == pytest.approx([0.0, 4 / fps])
        bob = behavior["bob"].pose_estimation_series["snout"]
        assert bob.confidence[:] == pytest.approx([0.9]) and bob.timestamps[:] == pytest.approx([3 / fps])
        assert alice.skeleton.name == "mouse" and alice.source_software == "Ethoframe"
        assert list(alice.source_video.external_file[:]) == [project.videos.all()[0].path]


def test_nwb_uses_the_video_files_own_timestamps(data, tmp_path, new_project):
    project = new_project("flies")
    import_slp(project, data / "sleap" / "clip.slp", frames=range(0, 50))
    export(project, tmp_path / "clip.nwb", what="labels")
    io, nwbfile = _nwb(tmp_path / "clip.nwb")
    with io:
        containers = [c for name, c in nwbfile.processing["behavior"].data_interfaces.items() if name != "Skeletons"]
        assert [c.name for c in containers] == ["female", "male"]  # clip.slp's two tracked flies
        assert containers
        series = next(iter(containers[0].pose_estimation_series.values()))
        video = project.videos.all()[0]
        assert np.diff(series.timestamps[:]).min() == pytest.approx(1 / video.fps, rel=1e-3)


def test_nwb_refuses_a_video_without_timestamps(tmp_path, new_project):
    project = new_project("p")
    skeleton = project.skeletons.add(Skeleton.from_names("s", ["a"], []))
    video = project.videos.add(Video(str(tmp_path / "absent.mp4"), 10, 0.0, 64, 48, ""))
    project.instances.add_many([Instance(video.id, 1, None, None, skeleton.id, keypoints=keypoints([1, 2, 2]))])
    with pytest.raises(InterchangeError, match="no frame rate and no readable file"):
        export(project, tmp_path / "x.nwb")
    assert list(tmp_path.glob("*.nwb*")) == [] and list(tmp_path.glob(".x.nwb*")) == []


def test_every_export_writes_the_path_named(tmp_path, new_project, capsys):
    project = new_project("p")
    fill(project, tmp_path / "frames")
    assert cli.main(["export", project.location, str(tmp_path / "traj.csv"), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "traj.csv").is_file() and not (tmp_path / "trajectories.csv").exists()
    assert str(tmp_path / "traj.csv") in out and str(tmp_path / "traj_behaviour_events.csv") in out
    assert cli.main(["export", project.location, str(tmp_path / "mine.sleap"), "--format", "slp"]) == 0
    assert (tmp_path / "mine.sleap").is_file()
    assert cli.main(["export", project.location, str(tmp_path / "poses.nwb"), "--what", "labels"]) == 0
    assert "poses.nwb" in capsys.readouterr().out
