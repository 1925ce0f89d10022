"""DeepLabCut: the Lightning Pose set, single- and multi-animal round trips, broken headers,
and the refusal to unpickle .h5 files."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from core.interchange import InterchangeError, MalformedFileError, detect_format, export, import_file
from core.interchange.yaml_files import load_yaml

from interchange_helpers import fill, snapshot


def test_lightning_pose_mirror_mouse(data, new_project):
    project = new_project("p")
    summary = import_file(project, data / "lightning-pose" / "mirror-mouse-example" / "CollectedData.csv")
    assert (summary.frames, summary.instances_user, summary.nodes) == (90, 90, 17)
    (video,) = project.videos.all()  # the 93 images of labeled-data/ as an image-folder video
    assert video.frame_count == 93 and (video.width, video.height) == (396, 406)
    (skeleton,) = project.skeletons.all()
    assert skeleton.nodes[0] == "paw1LH_top" and "nose_bot" in skeleton.nodes
    first = project.instances.on_frame(video.id, 1)[0]  # img01.png: tailBase_top and tailMid_top missing
    tail = skeleton.nodes.index("tailBase_top")
    assert first.keypoints[tail, 2] == 0 and first.keypoints[0].tolist() == [77.25, 36.25, 2]
    assert (np.concatenate([project.instances.on_frame(video.id, f)[0].keypoints[:, 2] for f in range(1, 5)]) == 0).any()


def test_single_animal_round_trip_writes_a_deeplabcut_project(tmp_path, new_project):
    original = new_project("a")
    fill(original, tmp_path / "frames", {"pose"})
    original.instances.set_track([i for t in original.tracks.all() for i in original.instances.with_track(t.id)], None)
    export(original, tmp_path / "dlc", "dlc")
    config = load_yaml(tmp_path / "dlc" / "config.yaml")
    assert config["bodyparts"] == ["snout", "ear_l", "ear_r"] and config["skeleton"] == [["snout", "ear_l"], ["snout", "ear_r"]]
    (csv_path,) = (tmp_path / "dlc" / "labeled-data").glob("*/CollectedData_ethoframe.csv")
    rows = list(csv.reader(open(csv_path)))
    assert [r[0] for r in rows[:3]] == ["scorer", "bodyparts", "coords"] and rows[3][:3] == ["labeled-data", "frames", "img0.png"]
    assert detect_format(tmp_path / "dlc") == "dlc"
    first = new_project("b")
    import_file(first, tmp_path / "dlc")
    fields = ("pose",)
    # DeepLabCut has no occluded state: compare after one import, where all labelled points are visible
    export(first, tmp_path / "dlc2", "dlc")
    second = new_project("c")
    import_file(second, tmp_path / "dlc2")
    assert snapshot(second, by_order=True, fields=fields) == snapshot(first, by_order=True, fields=fields)
    assert len(snapshot(first)) == 2


def test_multi_animal_round_trip(tmp_path, new_project):
    original = new_project("a")
    fill(original, tmp_path / "frames", {"pose", "pred"})
    export(original, tmp_path / "dlc", "dlc")
    config = load_yaml(tmp_path / "dlc" / "config.yaml")
    assert config["multianimalproject"] is True and config["individuals"] == ["alice", "bob"]
    first = new_project("b")
    import_file(first, tmp_path / "dlc")
    assert sorted(t.name for t in first.tracks.all()) == ["alice", "bob"]
    export(first, tmp_path / "dlc2", "dlc")
    second = new_project("c")
    import_file(second, tmp_path / "dlc2")
    assert snapshot(second, by_order=True, fields=("track", "pose")) == snapshot(first, by_order=True, fields=("track", "pose"))


@pytest.mark.parametrize(
    "row, line, words",
    [(1, "line 2", "bodyparts"), (2, "line 3", "coords")],
)
def test_broken_header_names_the_line_and_changes_nothing(data, tmp_path, new_project, row, line, words):
    source = data / "lightning-pose" / "mirror-mouse-example"
    rows = list(csv.reader(open(source / "CollectedData.csv")))
    rows[row][0] = "oops"
    (tmp_path / "labeled-data").symlink_to(source / "labeled-data")
    broken = tmp_path / "CollectedData.csv"
    with open(broken, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    project = new_project("p")
    before = project.counts()
    with pytest.raises(MalformedFileError) as error:
        import_file(project, broken, "dlc")
    assert str(broken) in str(error.value) and line in str(error.value) and words in str(error.value)
    assert project.counts() == before


def test_a_bad_number_names_line_and_bodypart(data, tmp_path, new_project):
    source = data / "lightning-pose" / "mirror-mouse-example"
    rows = list(csv.reader(open(source / "CollectedData.csv")))
    rows[10][1] = "twelve"
    (tmp_path / "labeled-data").symlink_to(source / "labeled-data")
    with open(tmp_path / "CollectedData.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    project = new_project("p")
    with pytest.raises(MalformedFileError, match="line 11: 'paw1LH_top' is not a number"):
        import_file(project, tmp_path / "CollectedData.csv")
    assert project.counts().instances_user == 0


def test_h5_is_refused_not_unpickled(tmp_path, new_project):
    (tmp_path / "CollectedData_me.h5").write_bytes(b"\x89HDF\r\n\x1a\n")
    with pytest.raises(InterchangeError, match="pickled"):
        import_file(new_project("p"), tmp_path / "CollectedData_me.h5")
