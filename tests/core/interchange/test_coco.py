"""COCO JSON: every annotation kind round-trips; malformed files change nothing."""

from __future__ import annotations

import json

import pytest

from core.interchange import MalformedFileError, export, import_file

from interchange_helpers import fill, snapshot


def test_round_trip_keeps_boxes_polygons_masks_keypoints_tracks_and_scores(tmp_path, new_project):
    original = new_project("a")
    fill(original, tmp_path / "frames")
    export(original, tmp_path / "coco", "coco")
    document = json.loads((tmp_path / "coco" / "annotations.json").read_text())
    pose = next(c for c in document["categories"] if c.get("keypoints"))
    assert pose["keypoints"] == ["snout", "ear_l", "ear_r"] and pose["skeleton"] == [[1, 2], [1, 3]]
    assert len(list((tmp_path / "coco" / "images").iterdir())) == 5

    again = new_project("b")
    summary = import_file(again, tmp_path / "coco")
    assert summary.format == "coco" and summary.instances_user == 5 and summary.instances_predicted == 1
    assert snapshot(again) == snapshot(original)
    # and once more, from the re-imported project
    export(again, tmp_path / "coco2", "coco")
    third = new_project("c")
    import_file(third, tmp_path / "coco2" / "annotations.json")
    assert snapshot(third) == snapshot(again)


def test_images_not_in_a_video_become_an_image_folder_video(tmp_path, new_project):
    original = new_project("a")
    fill(original, tmp_path / "frames")
    export(original, tmp_path / "coco", "coco")
    document = json.loads((tmp_path / "coco" / "annotations.json").read_text())
    del document["videos"]  # a plain COCO file: images only
    (tmp_path / "coco" / "annotations.json").write_text(json.dumps(document))
    project = new_project("b")
    import_file(project, tmp_path / "coco")
    (video,) = project.videos.all()
    assert video.path == str((tmp_path / "coco" / "images").resolve()) and video.frame_count == 5
    assert snapshot(project, by_order=True) == snapshot(original, by_order=True)


def _counts(project):
    return project.counts().as_dict()


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda text: text[: len(text) // 2], "not valid JSON"),
        (lambda text: text.replace('"keypoints": [10.5', '"keypoints": [99, 10.5'), "keypoint values"),
        (lambda text: text.replace('"file_name": "images/frames_000000.png"', '"file_name": "images/gone.png"'), "missing"),
        (lambda text: text.replace('"file_name": "images/frames_000000.png"', '"file_name": "../../../etc/passwd.png"'), "outside"),
        (lambda text: text.replace('"keypoints": [10.5, 12.375', '"keypoints": [1000.5, 12.375'), "outside the 64x48 frame"),
    ],
)
def test_malformed_file_names_the_record_and_changes_nothing(tmp_path, new_project, damage, message):
    source = new_project("a")
    fill(source, tmp_path / "frames")
    export(source, tmp_path / "coco", "coco")
    path = tmp_path / "coco" / "annotations.json"
    document = json.loads(path.read_text())
    del document["videos"]
    path.write_text(damage(json.dumps(document)))
    target = new_project("b")
    fill(target, tmp_path / "other")
    before = _counts(target)
    with pytest.raises(MalformedFileError) as error:
        import_file(target, path, "coco")
    assert message in str(error.value) and str(path) in str(error.value)
    assert ("line" in str(error.value)) or ("annotation" in str(error.value)) or ("image" in str(error.value))
    assert _counts(target) == before
