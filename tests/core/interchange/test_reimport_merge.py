"""Importing a file again, or an updated version of it, merges: unchanged instances are not
added twice, changed ones are updated, and the preview says N new, M updated, K unchanged
before anything is written."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli import main as cli
from core.interchange import export, import_file, preview_file

from interchange_helpers import fill


@pytest.mark.slow
def test_the_same_sleap_file_twice_adds_nothing(data, tmp_path, new_project):
    project = new_project("flies")
    clip = data / "sleap" / "clip.slp"
    first = import_file(project, clip)
    assert (first.new, first.updated, first.unchanged) == (3000, 0, 0)
    preview = preview_file(project, clip)
    assert (preview.merge["new"], preview.merge["updated"], preview.merge["unchanged"]) == (0, 0, 3000)
    again = import_file(project, clip)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3000)
    assert project.counts().instances_user == 3000


@pytest.mark.slow
def test_an_updated_sleap_file_updates_what_changed(data, tmp_path, new_project):
    import sleap_io as sio

    project = new_project("flies")
    import_file(project, data / "sleap" / "clip.slp")
    labels = sio.load_slp(str(data / "sleap" / "clip.slp"), open_videos=False)
    moved = labels.labeled_frames[10].instances[0]
    moved.points["xy"][0] += 5.0  # a corrected point
    frame_index, track = labels.labeled_frames[10].frame_idx, moved.track.name
    del labels.labeled_frames[20].instances[1]  # no longer in the file: kept in the project
    (tmp_path / "v2").mkdir()
    updated = tmp_path / "v2" / "clip.slp"
    sio.save_slp(labels, str(updated), embed=False)
    preview = preview_file(project, updated)
    assert preview.merge == {"new": 0, "updated": 1, "unchanged": 2998, "kept_not_in_file": 1, "edited_here": 0,
                             "events_new": 0, "events_unchanged": 0}
    assert project.counts().instances_user == 3000  # the preview wrote nothing
    summary = import_file(project, updated)
    assert (summary.new, summary.updated, summary.unchanged, summary.kept_not_in_file) == (0, 1, 2998, 1)
    (video,) = project.videos.all()
    tracks = {t.id: t.name for t in project.tracks.all()}
    (now,) = [i for i in project.instances.on_frame(video.id, frame_index) if tracks[i.track_id] == track]
    np.testing.assert_allclose(now.keypoints[0, :2], np.asarray(moved.points["xy"][0]), atol=1e-4)
    assert project.counts().instances_user == 3000


def test_coco_reimport_matches_untracked_boxes_by_position(tmp_path, new_project):
    source = new_project("source")
    fill(source, tmp_path / "frames", kinds={"box", "mask"})
    export(source, tmp_path / "out", "coco", what="labels")
    path = tmp_path / "out" / "annotations.json"
    project = new_project("p")
    assert import_file(project, path).new == 2
    document = json.loads(path.read_text())
    box = document["annotations"][0]["bbox"]
    document["annotations"][0]["bbox"] = [box[0] + 2, box[1] + 1, box[2], box[3]]  # moved a little
    extra = dict(document["annotations"][0], id=99, bbox=[1, 1, 5, 5])  # a new, small one far away
    document["annotations"].append(extra)
    path.write_text(json.dumps(document))
    summary = import_file(project, path)
    assert (summary.new, summary.updated, summary.unchanged) == (1, 1, 1)
    boxes = sorted(i.box.x1 for i in project.instances.on_frame(project.videos.all()[0].id, 0))
    assert boxes == [1.0, box[0] + 2]


def test_boris_events_reimported_are_not_doubled(data, tmp_path, new_project, capsys):
    project = new_project("b")
    first = import_file(project, data / "boris" / "test.boris")
    events = sum(len(project.events.in_video(v.id)) for v in project.videos.all())
    assert events == first.events > 0
    again = import_file(project, data / "boris" / "test.boris")
    assert again.events_unchanged == first.events
    assert sum(len(project.events.in_video(v.id)) for v in project.videos.all()) == events


@pytest.mark.slow
def test_cli_dry_run_says_what_would_change_and_writes_nothing(data, tmp_path, capsys):
    folder = tmp_path / "flies"
    assert cli.main(["new", str(folder)]) == 0
    clip = str(data / "sleap" / "clip.slp")
    assert cli.main(["import", str(folder), clip, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "3000 new, 0 updated, 0 unchanged" in out and "nothing was written" in out
    assert cli.main(["import", str(folder), clip]) == 0
    assert cli.main(["import", str(folder), clip]) == 0
    assert "0 new, 0 updated, 3000 unchanged" in capsys.readouterr().out


def test_an_instance_corrected_here_is_not_overwritten_by_a_reimport(tmp_path, new_project):
    source = new_project("source")
    fill(source, tmp_path / "frames", kinds={"box"})
    export(source, tmp_path / "out", "coco", what="labels")
    path = tmp_path / "out" / "annotations.json"
    project = new_project("p")
    import_file(project, path)
    (imported,) = project.instances.on_frame(project.videos.all()[0].id, 0)
    corrected = project.instances.update(imported.id, box=imported.box.translated(3, 0))  # a person moves it
    document = json.loads(path.read_text())
    document["annotations"][0]["bbox"][1] += 2  # the file changed too
    path.write_text(json.dumps(document))
    summary = import_file(project, path)
    assert (summary.new, summary.updated, summary.unchanged, summary.edited_here) == (0, 0, 0, 1)
    (now,) = project.instances.on_frame(project.videos.all()[0].id, 0)
    assert now.box.as_tuple() == corrected.box.as_tuple()
