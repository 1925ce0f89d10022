"""CVAT XML 1.1 ("for video" with tracks, keyframes and `outside`; "for images" with boxes,
polygons, masks as CVAT RLE, points and skeletons), written to CVAT's published schema, read,
and round-tripped through a project."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import cv2
import numpy as np
import pytest

from core.interchange import InterchangeError, detect_format, export, import_file, read_file
from core.interchange.errors import MalformedFileError

from interchange_helpers import fill, image_folder, snapshot

SKELETON_LABELS = """
      <label><name>fly</name><type>skeleton</type><attributes></attributes>
        <svg>&lt;line x1="1" y1="1" x2="5" y2="5" stroke="black" data-type="edge" data-node-from="1" stroke-width="0.5" data-node-to="2"&gt;&lt;/line&gt;&lt;line x1="5" y1="5" x2="9" y2="1" stroke="black" data-type="edge" data-node-from="2" stroke-width="0.5" data-node-to="3"&gt;&lt;/line&gt;&lt;circle r="1.5" cx="1" cy="1" data-type="element node" data-element-id="1" data-node-id="1" data-label-name="head"&gt;&lt;/circle&gt;&lt;circle r="1.5" cx="5" cy="5" data-type="element node" data-element-id="2" data-node-id="2" data-label-name="thorax"&gt;&lt;/circle&gt;&lt;circle r="1.5" cx="9" cy="1" data-type="element node" data-element-id="3" data-node-id="3" data-label-name="abdomen"&gt;&lt;/circle&gt;</svg>
      </label>
      <label><name>head</name><type>points</type><attributes></attributes><parent>fly</parent></label>
      <label><name>thorax</name><type>points</type><attributes></attributes><parent>fly</parent></label>
      <label><name>abdomen</name><type>points</type><attributes></attributes><parent>fly</parent></label>"""

IMAGES = f"""<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta><task><id>4</id><name>arena</name><size>6</size><mode>annotation</mode><overlap>0</overlap>
    <labels>
      <label><name>car</name><type>any</type><attributes><attribute><name>colour</name><mutable>False</mutable>
        <input_type>select</input_type><default_value>red</default_value><values>red\nblue</values></attribute></attributes></label>
      <label><name>wheel</name><type>points</type><attributes></attributes></label>
      <label><name>line</name><type>polyline</type><attributes></attributes></label>{SKELETON_LABELS}
    </labels></task><dumped>2024-01-01</dumped></meta>
  <image id="0" name="frame0.png" width="64" height="48">
    <box label="car" source="manual" occluded="0" xtl="10.5" ytl="4" xbr="30" ybr="20.25" z_order="0">
      <attribute name="colour">blue</attribute>
    </box>
    <polygon label="car" source="manual" occluded="0" points="1,1;20,1;20,15;1,12" z_order="0"></polygon>
    <polyline label="line" source="manual" occluded="0" points="0,0;5,5" z_order="0"></polyline>
  </image>
  <image id="2" name="frame2.png" width="64" height="48">
    <mask label="car" source="manual" occluded="0" rle="3, 5, 7, 7, 5, 9, 3, 11, 2, 11, 2, 12, 1, 12, 1, 26, 1, 12, 1, 12, 2, 11, 3, 9, 5, 7, 7, 5, 3" left="20" top="10" width="13" height="15" z_order="0"></mask>
    <points label="wheel" source="manual" occluded="0" points="5,6;7,8" z_order="0"></points>
    <skeleton label="fly" source="manual" z_order="0">
      <points label="head" occluded="0" source="manual" outside="0" points="10,11"></points>
      <points label="thorax" occluded="1" source="manual" outside="0" points="12,13"></points>
      <points label="abdomen" occluded="0" source="manual" outside="1" points="0,0"></points>
    </skeleton>
    <tag label="car" source="manual"></tag>
  </image>
</annotations>
"""


def _video_xml(size: int, tracks: str, source: str = "frames") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version>
  <meta><task><id>5</id><name>clip</name><size>{size}</size><mode>interpolation</mode><overlap>0</overlap>
    <start_frame>0</start_frame><stop_frame>{size - 1}</stop_frame><frame_filter></frame_filter><source>{source}</source>
    <labels><label><name>mouse</name><type>rectangle</type><attributes></attributes></label>{SKELETON_LABELS}</labels>
    <original_size><width>64</width><height>48</height></original_size></task></meta>
  {tracks}
</annotations>"""


def test_cvat_for_images_shapes(tmp_path):
    image_folder(tmp_path / "images")
    (tmp_path / "annotations.xml").write_text(IMAGES)
    assert detect_format(tmp_path) == "cvat" and detect_format(tmp_path / "annotations.xml") == "cvat"
    dataset = read_file(tmp_path)
    assert dataset.videos[0].path.endswith("images")
    by_frame = {}
    for i in dataset.instances:
        by_frame.setdefault(i.frame_index, []).append(i)
    box, polygon = by_frame[0]
    assert box.box.as_tuple() == (10.5, 4.0, 30.0, 20.25) and polygon.polygons[0].tolist() == [[1, 1], [20, 1], [20, 15], [1, 12]]
    mask, wheel, fly = by_frame[2]
    pixels = mask.mask.to_array()
    assert pixels.shape == (48, 64) and pixels.sum() == 195 - sum([3, 7, 5, 3, 2, 2, 1, 1, 1, 1, 2, 3, 5, 7, 3])
    assert not pixels[10, 20:23].any() and pixels[10, 23:28].all()  # the first row: 3 off, 5 on
    skeletons = {s.id: s for s in dataset.skeletons}
    assert skeletons[fly.skeleton_id].nodes == ("head", "thorax", "abdomen") and skeletons[fly.skeleton_id].edges == ((0, 1), (1, 2))
    assert fly.keypoints.tolist() == [[10, 11, 2], [12, 13, 1], [0, 0, 0]]
    assert skeletons[wheel.skeleton_id].nodes == ("1", "2") and wheel.keypoints[:, 2].tolist() == [2, 2]
    notes = " ".join(dataset.notes)
    assert "1 CVAT polylines" in notes and "1 CVAT tags" in notes and "1 attribute values" in notes


def test_cvat_for_video_tracks_interpolate_and_stop_outside(tmp_path):
    (tmp_path / "frames").mkdir()
    for i in range(30):
        cv2.imwrite(str(tmp_path / "frames" / f"frame{i:02d}.png"), np.full((48, 64, 3), i, np.uint8))
    tracks = """
  <track id="0" label="mouse" source="manual">
    <box frame="0" outside="0" occluded="0" keyframe="1" xtl="0" ytl="0" xbr="10" ybr="10" z_order="0"></box>
    <box frame="10" outside="0" occluded="0" keyframe="1" xtl="20" ytl="10" xbr="30" ybr="20" z_order="0"></box>
    <box frame="15" outside="1" occluded="0" keyframe="1" xtl="20" ytl="10" xbr="30" ybr="20" z_order="0"></box>
    <box frame="25" outside="0" occluded="0" keyframe="1" xtl="1" ytl="1" xbr="5" ybr="5" z_order="0"></box>
  </track>
  <track id="1" label="fly" source="manual">
    <skeleton frame="2" keyframe="1" z_order="0">
      <points label="head" outside="0" occluded="0" keyframe="1" points="0,0"></points>
      <points label="thorax" outside="0" occluded="0" keyframe="1" points="10,10"></points>
      <points label="abdomen" outside="1" occluded="0" keyframe="1" points="0,0"></points>
    </skeleton>
    <skeleton frame="4" keyframe="1" z_order="0">
      <points label="head" outside="0" occluded="0" keyframe="1" points="4,2"></points>
      <points label="thorax" outside="0" occluded="0" keyframe="1" points="10,10"></points>
      <points label="abdomen" outside="1" occluded="0" keyframe="1" points="0,0"></points>
    </skeleton>
    <skeleton frame="5" keyframe="1" z_order="0">
      <points label="head" outside="1" occluded="0" keyframe="1" points="4,2"></points>
      <points label="thorax" outside="1" occluded="0" keyframe="1" points="10,10"></points>
      <points label="abdomen" outside="1" occluded="0" keyframe="1" points="0,0"></points>
    </skeleton>
  </track>"""
    (tmp_path / "clip.xml").write_text(_video_xml(30, tracks))
    dataset = read_file(tmp_path / "clip.xml")
    tracks_by_name = {t.id: t.name for t in dataset.tracks}
    boxes = {i.frame_index: i.box.as_tuple() for i in dataset.instances if tracks_by_name.get(i.track_id) == "mouse 0"}
    assert sorted(boxes) == list(range(0, 15)) + list(range(25, 30))  # outside from 15 until 25; then to the task's end
    assert boxes[5] == (10.0, 5.0, 20.0, 15.0)  # halfway between the keyframes at 0 and 10
    poses = {i.frame_index: i.keypoints for i in dataset.instances if tracks_by_name.get(i.track_id) == "fly 1"}
    assert sorted(poses) == [2, 3, 4] and poses[3][0].tolist() == [2, 1, 2] and poses[3][2, 2] == 0


def test_round_trip_through_cvat_for_video_and_for_images(tmp_path, new_project):
    source = new_project("source")
    fill(source, tmp_path / "frames", kinds={"box", "poly", "mask", "pose"})
    expected = snapshot(source)
    for format, name in (("cvat", "video.xml"), ("cvat-images", "images.xml")):
        summary = export(source, tmp_path / name, format, what="labels")
        assert summary.files == (str(tmp_path / name),)
        root = ET.parse(tmp_path / name).getroot()
        assert root.findtext("version") == "1.1" and root.find("meta/task/labels") is not None
        assert (root.find("track") is not None) == (format == "cvat")
        target = new_project(format)
        import_file(target, tmp_path / name)
        assert snapshot(target) == expected, format


def test_predictions_go_to_cvat_as_automatic_shapes(tmp_path, new_project):
    project = new_project("p")
    fill(project, tmp_path / "frames", kinds={"pred"})
    export(project, tmp_path / "pred.xml", "cvat-images", what="predictions")
    skeleton = ET.parse(tmp_path / "pred.xml").getroot().find("image/skeleton")
    assert skeleton.get("source") == "auto" and [p.get("label") for p in skeleton.findall("points")] == ["snout", "ear_l", "ear_r"]


def test_a_cvat_task_longer_than_its_video_is_refused(data, tmp_path, new_project):
    (tmp_path / "clip.mp4").symlink_to(data / "sleap" / "clip.mp4")
    tracks = '<track id="0" label="mouse"><box frame="0" outside="0" occluded="0" keyframe="1" xtl="0" ytl="0" xbr="9" ybr="9"></box></track>'
    (tmp_path / "long.xml").write_text(_video_xml(5000, tracks, source="clip.mp4"))
    project = new_project("p")
    with pytest.raises(MalformedFileError, match="task has 5000 frames.*clip.mp4 has 1500"):
        import_file(project, tmp_path / "long.xml")
    assert project.counts().instances_user == 0 and project.videos.all() == []


def test_malformed_cvat_is_one_clear_line(tmp_path):
    (tmp_path / "a.xml").write_text("<annotations><image id='0'><box label='x' xtl='1' ytl='nope' xbr='2' ybr='2'/></image></annotations>")
    with pytest.raises(MalformedFileError, match="ytl must be a number"):
        read_file(tmp_path / "a.xml", "cvat")
    (tmp_path / "b.xml").write_text("<annotations><image id='0'><box label='x'")
    with pytest.raises(MalformedFileError, match="not well-formed XML"):
        read_file(tmp_path / "b.xml", "cvat")
    (tmp_path / "c.xml").write_text(_video_xml(3, '<track id="0" label="mouse"><box frame="7" outside="0" keyframe="1" xtl="0" ytl="0" xbr="1" ybr="1"/></track>'))
    with pytest.raises(MalformedFileError, match="frame 7 is past the task's 3 frames"):
        read_file(tmp_path / "c.xml")


def test_cvat_of_several_videos_needs_a_folder(tmp_path, new_project):
    from core.domain import Box, Instance, Video

    project = new_project("p")
    fill(project, tmp_path / "frames", kinds={"box"})
    other = project.videos.add(Video(str(tmp_path / "b.mp4"), 5, 25.0, 64, 48, ""))
    project.instances.add_many([Instance(other.id, 1, project.label_classes.all()[0].id, box=Box(1, 1, 5, 5))])
    with pytest.raises(InterchangeError, match="give a folder"):
        export(project, tmp_path / "x.xml", "cvat")
    summary = export(project, tmp_path / "cvat", "cvat")
    assert sorted(p.rsplit("/", 1)[1] for p in summary.files) == ["b.xml", "frames.xml"]
    assert np.all([ET.parse(p).getroot().tag == "annotations" for p in summary.files])
