"""Issue 16's attacks on the importers: each bad file is refused in one line naming the file and
the place (the project unchanged), or imported with what it holds cleaned and counted, never a
traceback, a hang or a mislabelled row. Defects 3, 4, 7, 11 and 12 of the issue."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest

from core.domain import Box, Instance, Skeleton
from core.interchange import MalformedFileError, apply_dataset, export, import_file
from core.interchange.dataset import Dataset

from interchange_helpers import fill, image_folder


def _coco(tmp_path, new_project, kinds=frozenset({"box", "poly", "mask", "pose", "pred"})) -> tuple[Path, dict]:
    original = new_project("original")
    fill(original, tmp_path / "frames", kinds)
    export(original, tmp_path / "coco", "coco")
    path = tmp_path / "coco" / "annotations.json"
    return path, json.loads(path.read_text())


def _refused(project, path, *words, format=None) -> str:
    before = project.counts().as_dict()
    with pytest.raises(MalformedFileError) as raised:
        import_file(project, path, format)
    message = str(raised.value)
    assert "\n" not in message and str(Path(path).name) in message or str(Path(path).parent.name) in message, message
    for word in words:
        assert word in message, message
    assert project.counts().as_dict() == before
    return message


def _annotation(document, kind):
    if kind == "pose":
        return next(a for a in document["annotations"] if "keypoints" in a and a["source"] == "user")
    if kind == "mask":
        return next(a for a in document["annotations"] if isinstance(a.get("segmentation"), dict))
    return next(a for a in document["annotations"] if "bbox" in a and not a.get("bbox_derived"))


# --- defect 4: boxes, masks and scores -----------------------------------------------------------


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e300])
def test_a_box_that_is_not_a_finite_pixel_position_is_refused(tmp_path, new_project, value):
    path, document = _coco(tmp_path, new_project)
    _annotation(document, "box")["bbox"][2] = value
    path.write_text(json.dumps(document))  # Python writes NaN and Infinity, as the attack did
    _refused(new_project("target"), path, "box")


def test_a_box_past_the_frame_edge_is_clamped_and_counted(tmp_path, new_project):
    path, document = _coco(tmp_path, new_project, {"box"})
    _annotation(document, "box")["bbox"] = [50, 40, 30, 30]  # to (80, 70) on a 64x48 frame
    path.write_text(json.dumps(document))
    project = new_project("target")
    summary = import_file(project, path)
    assert any("1 boxes or polygons reached past the frame edge" in note for note in summary.notes)
    (instance,) = [i for f in project.instances.on_frames(project.videos.all()[0].id, 0, 99).values() for i in f]
    assert instance.box.as_tuple() == (50, 40, 64, 48)


@pytest.mark.parametrize("counts", ["garbage!~~", "0", "PP1", "\x7f"])
def test_a_garbage_rle_mask_is_refused(tmp_path, new_project, counts):
    path, document = _coco(tmp_path, new_project)
    _annotation(document, "mask")["segmentation"]["counts"] = counts
    path.write_text(json.dumps(document))
    _refused(new_project("target"), path, "RLE")


def test_a_mask_of_another_size_than_its_frame_is_refused(tmp_path, new_project):
    from core.domain import Rle

    path, document = _coco(tmp_path, new_project)
    other = Rle.from_array(np.ones((10, 10), bool))
    _annotation(document, "mask")["segmentation"] = {"size": [10, 10], "counts": other.counts}
    path.write_text(json.dumps(document))
    _refused(new_project("target"), path, "10x10 mask on a 64x48 frame")


def test_keypoint_scores_of_the_wrong_length_are_refused(tmp_path, new_project):
    path, document = _coco(tmp_path, new_project)
    predicted = next(a for a in document["annotations"] if "keypoint_scores" in a)
    predicted["keypoint_scores"] = [0.5, 0.5]
    path.write_text(json.dumps(document))
    _refused(new_project("target"), path, "2 keypoint scores for 3 keypoints")


def test_a_nan_score_is_refused(tmp_path, new_project):
    path, document = _coco(tmp_path, new_project)
    next(a for a in document["annotations"] if "score" in a)["score"] = math.nan
    path.write_text(json.dumps(document))
    _refused(new_project("target"), path, "score")


def test_a_yolo_line_with_nan_is_refused(tmp_path, new_project):
    original = new_project("original")
    fill(original, tmp_path / "frames", {"box"})
    export(original, tmp_path / "yolo", "yolo")
    label = next((tmp_path / "yolo" / "labels" / "train").glob("*.txt"))
    label.write_text("0 nan 0.5 0.2 0.2\n")
    _refused(new_project("target"), tmp_path / "yolo", "not a finite number", "line 1")


def test_apply_refuses_any_reader_s_non_finite_or_misshapen_values(tmp_path, new_project):
    """The layer sits under every reader: a dataset built by hand meets the same checks."""
    project = new_project("target")
    folder = image_folder(tmp_path / "frames")
    for bad in (
        dict(keypoints=np.array([[1, 2, 2], [3, 4, 2]], np.float32), keypoint_scores=np.ones(3, np.float32)),
        dict(keypoints=np.array([[1, 2, 2], [3, np.inf, 2]], np.float32)),
        dict(keypoints=np.array([[1, 2, 2], [3, 4, 7]], np.float32)),
    ):
        dataset = Dataset(source=tmp_path / "made.by.hand")
        video = dataset.add_video(folder, 6)
        skeleton = dataset.add_skeleton(Skeleton("s", ("a", "b")))
        dataset.add_instance(Instance(video, 0, skeleton_id=skeleton, source="predicted", score=0.5, **bad), "instance 1")
        with pytest.raises(MalformedFileError, match="made.by.hand, instance 1"):
            apply_dataset(project, dataset)
    assert project.counts().as_dict()["instances_predicted"] == 0


# --- defect 11: colliding ids and NaN keypoints ---------------------------------------------------


def test_two_images_with_one_id_are_refused(tmp_path, new_project):
    path, document = _coco(tmp_path, new_project)
    document["images"][1]["id"] = document["images"][0]["id"]
    path.write_text(json.dumps(document))
    _refused(new_project("target"), path, "image id", "used twice", "image 0", "image 1")


def test_two_categories_with_one_id_are_refused(tmp_path, new_project):
    path, document = _coco(tmp_path, new_project)
    document["categories"][1]["id"] = document["categories"][0]["id"]
    path.write_text(json.dumps(document))
    _refused(new_project("target"), path, "category id", "used twice")


def test_nan_coco_keypoints_are_stored_as_unlabelled(tmp_path, new_project):
    path, document = _coco(tmp_path, new_project, {"pose"})
    pose = next(a for a in document["annotations"] if a["keypoints"][2] == 2 and a["keypoints"][5] == 2)
    pose["keypoints"][0] = math.nan
    path.write_text(json.dumps(document))
    project = new_project("target")
    summary = import_file(project, path)
    assert any("1 keypoints had no finite position" in note for note in summary.notes)
    stored = [i for f in project.instances.on_frames(project.videos.all()[0].id, 0, 99).values() for i in f]
    assert all(np.isfinite(i.keypoints).all() for i in stored)
    assert sum(int((i.keypoints[:, 2] == 0).sum()) for i in stored) == 2  # the NaN one and fill's unlabelled one


def _dlc(tmp_path, new_project) -> Path:
    original = new_project("original")
    fill(original, tmp_path / "frames", {"pose"})
    export(original, tmp_path / "dlc", "dlc")
    return next((tmp_path / "dlc").glob("labeled-data/*/CollectedData_*.csv"))


@pytest.mark.parametrize("nan", ["+nan", "-nan", "NaN", "nan"])
def test_dlc_nan_cells_are_unlabelled(tmp_path, new_project, nan):
    csv_path = _dlc(tmp_path, new_project)
    lines = csv_path.read_text().splitlines()
    cells = lines[5].split(",")  # multi-animal: scorer, individuals, bodyparts, coords, then rows
    cells[-2] = nan  # the last bodypart's x on the second frame (the first has it unlabelled)
    lines[5] = ",".join(cells)
    csv_path.write_text("\n".join(lines) + "\n")
    project = new_project("target")
    import_file(project, tmp_path / "dlc")
    stored = [i for v in project.videos.all() for f in project.instances.on_frames(v.id, 0, 99).values() for i in f]
    assert all(np.isfinite(i.keypoints).all() for i in stored)
    assert sorted(int(i.keypoints[-1, 2]) for i in stored) == [0, 0]  # fill's unlabelled ear_r, and this one


# --- defect 12: duplicates merged silently, a linked label file quoted -----------------------------


def test_a_dlc_row_listed_twice_is_refused(tmp_path, new_project):
    csv_path = _dlc(tmp_path, new_project)
    lines = csv_path.read_text().splitlines()
    csv_path.write_text("\n".join(lines + [lines[4]]) + "\n")
    _refused(new_project("target"), tmp_path / "dlc", "is listed twice", f"line {len(lines) + 1}")


def test_a_dlc_bodypart_named_twice_is_refused(tmp_path, new_project):
    csv_path = _dlc(tmp_path, new_project)
    lines = csv_path.read_text().splitlines()
    lines[2] = lines[2].replace("ear_r", "ear_l")
    csv_path.write_text("\n".join(lines) + "\n")
    _refused(new_project("target"), tmp_path / "dlc", "'ear_l' of 'alice' has two x columns")


def test_a_yolo_label_linked_to_a_system_file_is_not_quoted(tmp_path, new_project):
    original = new_project("original")
    fill(original, tmp_path / "frames", {"box"})
    export(original, tmp_path / "yolo", "yolo")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the first line of a system file\n")
    label = next((tmp_path / "yolo" / "labels" / "train").glob("*.txt"))
    label.unlink()
    label.symlink_to(secret)
    message = _refused(new_project("target"), tmp_path / "yolo", "link to a file outside")
    assert "root:x" not in message


# --- defect 3: YAML alias bombs -------------------------------------------------------------------


def _bomb(key: str) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        lines.append(f"{chr(97 + n)}: &{chr(97 + n)} [" + ",".join([f"*{chr(96 + n)}"] * 9) + "]")
    return "\n".join(lines) + f"\n{key}: *i\n"


def _yolo(tmp_path, new_project) -> Path:
    original = new_project("original")
    fill(original, tmp_path / "frames", {"pose"})
    export(original, tmp_path / "yolo", "yolo")
    return tmp_path / "yolo" / "data.yaml"


@pytest.mark.parametrize("key", ["names", "kpt_names"])
def test_a_yaml_alias_bomb_in_yolo_data_yaml_is_refused_within_a_second(tmp_path, new_project, key):
    import yaml

    data_yaml = _yolo(tmp_path, new_project)
    config = yaml.safe_load(data_yaml.read_text())
    del config[key]
    data_yaml.write_text(_bomb(key) + yaml.safe_dump(config))
    started = time.perf_counter()
    _refused(new_project("target"), data_yaml, "alias", "line 2", format="yolo")
    assert time.perf_counter() - started < 1.0


def test_a_yaml_alias_bomb_in_a_deeplabcut_config_is_refused_within_a_second(tmp_path, new_project):
    import yaml

    _dlc(tmp_path, new_project)
    config_path = tmp_path / "dlc" / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    del config["skeleton"]
    config_path.write_text(_bomb("skeleton") + yaml.safe_dump(config))
    started = time.perf_counter()
    _refused(new_project("target"), tmp_path / "dlc", "config.yaml", "alias")
    assert time.perf_counter() - started < 1.0


# --- defect 7: malformed structures give one line, not a traceback ---------------------------------


def _set_image_id(document, value):
    document["images"][0]["id"] = value


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda d: _set_image_id(d, [1, 2]), ("image id must be a number or a string, not list", "image 0")),
        (lambda d: _set_image_id(d, {"a": 1}), ("image id must be a number or a string, not dict",)),
        (lambda d: d["categories"][0].update(id=[1]), ("category id must be a number or a string", "category 0")),
        (lambda d: d["annotations"][0].update(image_id={"x": 1}), ("image_id must be a number or a string",)),
        (lambda d: _annotation(d, "mask")["segmentation"].update(size=[10**9, 10**9], counts=[10**18]), ("RLE mask's size",)),
        (lambda d: d.update(tracks={"a": 1}), ("'tracks' must be a list",)),
        (lambda d: d.update(videos=[5]), ("a video is an object", "video 0")),
    ],
)
def test_malformed_coco_structures_are_one_line(tmp_path, new_project, damage, words):
    path, document = _coco(tmp_path, new_project)
    damage(document)
    path.write_text(json.dumps(document))
    _refused(new_project("target"), path, *words)


def test_deeply_nested_json_is_one_line(tmp_path, new_project):
    path = tmp_path / "deep.json"
    path.write_text('{"images": [], "annotations": ' + "[" * 200_000 + "]" * 200_000 + "}")
    _refused(new_project("target"), path, "nested too deeply", format="coco")


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda c: c.update(skeleton_edges=["ab", "cd"]), ("skeleton_edges must be pairs of node numbers",)),
        (lambda c: c.update(skeleton_edges=[[0, 99]]), ("skeleton_edges",)),
        (lambda c: c.update(names={"cat": 0}), ("'cat' is not a class number", "names")),
        (lambda c: c.update(kpt_shape=["three", 3]), ("kpt_shape",)),
        (lambda c: c.update(flip_idx=["a", "b", "c"]), ("flip_idx",)),
        (lambda c: c.update(kpt_names=[["a"], ["b"], ["c"]]), ("kpt_names",)),
    ],
)
def test_malformed_yolo_yaml_structures_are_one_line(tmp_path, new_project, edit, words):
    import yaml

    data_yaml = _yolo(tmp_path, new_project)
    config = yaml.safe_load(data_yaml.read_text())
    edit(config)
    data_yaml.write_text(yaml.safe_dump(config))
    _refused(new_project("target"), data_yaml, *words, format="yolo")


def _boris(tmp_path, new_project) -> tuple[Path, dict]:
    original = new_project("original")
    fill(original, tmp_path / "frames", {"box"})
    export(original, tmp_path / "events.boris", "boris")
    path = tmp_path / "events.boris"
    return path, json.loads(path.read_text())


def _observation(document) -> dict:
    return next(iter(document["observations"].values()))


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda d: _observation(d)["media_info"].update(fps={k: "fast" for k in _observation(d)["media_info"]["fps"]}), ("fps",)),
        (lambda d: _observation(d)["media_info"].update(fps={k: [25] for k in _observation(d)["media_info"]["fps"]}), ("fps",)),
        (lambda d: _observation(d)["media_info"].update(fps={k: math.inf for k in _observation(d)["media_info"]["fps"]}), ("fps",)),
        (lambda d: _observation(d)["events"][0].__setitem__(0, "0.5"), ("an event is [time",)),
        (lambda d: _observation(d)["events"][0].__setitem__(0, math.nan), ("an event's time",)),
        (lambda d: _observation(d)["events"][0].__setitem__(0, 1e300), ("an event's time",)),
        (lambda d: d.update(observations=[1, 2]), ("'observations' must be an object",)),
        (lambda d: _observation(d).update(events={"a": 1}), ("'events' must be a list",)),
        (lambda d: d.update(subjects_conf={"0": "alice"}), ("a subject is an object",)),
        (lambda d: _observation(d).update({"time offset": [1]}), ("time offset",)),
    ],
)
def test_malformed_boris_structures_are_one_line(tmp_path, new_project, damage, words):
    path, document = _boris(tmp_path, new_project)
    damage(document)
    path.write_text(json.dumps(document))
    _refused(new_project("target"), path, *words)


@pytest.mark.parametrize("cell, value", [("FPS", "nan"), ("FPS", "inf"), ("Time", "1e300"), ("Image index", "[1]")])
def test_boris_table_numbers_of_the_wrong_kind_are_one_line(tmp_path, new_project, cell, value):
    import csv

    original = new_project("original")
    fill(original, tmp_path / "frames", {"box"})
    export(original, tmp_path / "events.csv", "boris")
    rows = list(csv.reader((tmp_path / "events.csv").open()))
    rows[1][rows[0].index(cell)] = value
    with (tmp_path / "events.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    _refused(new_project("target"), tmp_path / "events.csv", cell, "line 2")


def test_an_export_never_writes_nan_or_infinity_into_json(tmp_path, new_project):
    """A project that already holds an infinite number (stored before these checks) is not
    exported as JSON other tools cannot read: one line says so."""
    from core.interchange import InterchangeError

    project = new_project("old")
    fill(project, tmp_path / "frames", {"box"})
    video = project.videos.all()[0]
    project.instances.add_many([Instance(video.id, 1, project.label_classes.all()[0].id, box=Box(1, 1, 9, 9),
                                         source="predicted", score=math.inf)])  # fmt: skip
    with pytest.raises(InterchangeError, match="not finite") as raised:
        export(project, tmp_path / "out.json")
    assert "\n" not in str(raised.value)


# --- OSError: one line naming the file -------------------------------------------------------------


def test_a_file_that_cannot_be_read_is_one_line_naming_it(tmp_path, new_project, monkeypatch):
    import errno

    from core.interchange import InterchangeError, coco

    path, _ = _coco(tmp_path, new_project)

    def unreadable(where):
        raise PermissionError(errno.EACCES, "Permission denied", str(where))

    monkeypatch.setattr(coco, "load_json", unreadable)
    project = new_project("target")
    with pytest.raises(InterchangeError) as raised:
        import_file(project, path, "coco")
    assert str(raised.value) == f"{path}: cannot be read (Permission denied)"


def test_a_full_disk_during_export_is_one_line_naming_the_file(tmp_path, new_project, monkeypatch):
    import errno

    from core.interchange import InterchangeError

    project = new_project("source")
    fill(project, tmp_path / "frames", {"box"})
    real_write = Path.write_text

    def full(self, *args, **kwargs):
        if self.suffix == ".json":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(InterchangeError) as raised:
        export(project, tmp_path / "out", "coco")
    assert str(raised.value) == f"cannot write {tmp_path / 'out' / 'annotations.json'}: No space left on device"


def test_a_number_of_ten_thousand_digits_is_one_line(tmp_path, new_project):
    path, document = _coco(tmp_path, new_project)
    text = json.dumps(document).replace('"iscrowd": 0', '"iscrowd": ' + "9" * 10_000, 1)
    path.write_text(text)
    _refused(new_project("target"), path, "annotations.json")


def test_a_fifo_is_refused_instead_of_blocking(tmp_path, new_project):
    import os

    from core.interchange import InterchangeError

    fifo = tmp_path / "labels.json"
    os.mkfifo(fifo)
    with pytest.raises(InterchangeError, match="not a regular file"):
        import_file(new_project("target"), fifo, "coco")


def test_a_zero_size_box_is_left_out_and_counted(tmp_path, new_project):
    path, document = _coco(tmp_path, new_project, {"box", "pose"})
    boxed = next(a for a in document["annotations"] if "keypoints" not in a)
    boxed["bbox"][2] = 0
    posed = next(a for a in document["annotations"] if "keypoints" in a)
    posed["bbox"][3] = 0
    path.write_text(json.dumps(document))
    project = new_project("target")
    summary = import_file(project, path)
    assert any("2 boxes had no area: left out (1 instances had nothing else" in note for note in summary.notes), summary.notes
    stored = [i for f in project.instances.on_frames(project.videos.all()[0].id, 0, 99).values() for i in f]
    assert len(stored) == len(document["annotations"]) - 1 and all(i.box is None or i.box.area > 0 for i in stored)
