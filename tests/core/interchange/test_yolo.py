"""YOLO folders: detect, segment and pose round trips, and a broken label line."""

from __future__ import annotations

import pytest

from core.interchange import MalformedFileError, detect_format, export, import_file

from interchange_helpers import fill, snapshot


@pytest.mark.parametrize(
    "kinds, fields",
    [({"box"}, ("class", "box")), ({"poly"}, ("class", "poly")), ({"pose"}, ("class", "box", "pose"))],
)
def test_round_trip(tmp_path, new_project, kinds, fields):
    original = new_project("a")
    fill(original, tmp_path / "frames", kinds)
    export(original, tmp_path / "y1", "yolo", what="labels")
    assert detect_format(tmp_path / "y1") == "yolo"
    first = new_project("b")
    import_file(first, tmp_path / "y1")
    assert snapshot(first, by_order=True, digits=1, fields=fields) == snapshot(original, by_order=True, digits=1, fields=fields)
    export(first, tmp_path / "y2", "yolo")
    second = new_project("c")
    import_file(second, tmp_path / "y2")
    assert snapshot(second, by_order=True, digits=3, fields=fields) == snapshot(first, by_order=True, digits=3, fields=fields)


def test_a_line_with_too_few_numbers_names_file_and_line_and_changes_nothing(tmp_path, new_project):
    original = new_project("a")
    fill(original, tmp_path / "frames", {"box", "poly"})
    export(original, tmp_path / "y", "yolo")
    label = sorted((tmp_path / "y" / "labels" / "train").iterdir())[1]
    label.write_text(label.read_text() + "0 0.5 0.5\n")
    target = new_project("b")
    before = target.counts()
    with pytest.raises(MalformedFileError) as error:
        import_file(target, tmp_path / "y")
    assert label.name in str(error.value) and "line 2" in str(error.value) and "found 3" in str(error.value)
    assert target.counts() == before
