"""CVAT XML 1.1, written: "CVAT for video 1.1" (`variant="video"`: tracks) or "CVAT for images
1.1" (`variant="images"`: one `<image>` per labelled frame), to CVAT's published XML format, so
CVAT's "Upload annotations" takes it (reading is `cvat.py`, which says how shapes map).

One file holds one task, that is one video: a project with labels in several videos is written
as one `<video name>.xml` per video into a folder. Each instance becomes its shapes (box,
polygons, mask as CVAT RLE, skeleton) sharing one `group_id`, so they come back as one
instance. In the video variant each Ethoframe track becomes one CVAT track per shape kind (all
sharing the track's `group_id`), every labelled frame a keyframe, and a gap starts with an
`outside` keyframe; an untracked instance is a one-frame track (a keyframe, then `outside`),
as CVAT itself writes single shapes. The Ethoframe track's name goes in a `track` text
attribute, declared on the labels. A class and a skeleton of the same name (CVAT's label names
are one namespace) give the skeleton's label the name `<name>-skeleton`.
"""

from __future__ import annotations

import datetime
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from core.domain import Instance
from core.interchange.cvat import TRACK_ATTRIBUTE
from core.interchange.dataset import Dataset
from core.interchange.errors import InterchangeError
from core.interchange.per_video_files import files_per_video


def write_cvat(dataset: Dataset, out: str | Path, variant: str = "video") -> list[Path]:
    """Write CVAT XML to `out` (a `.xml` file, for one video) or into the folder `out`."""
    if variant not in ("video", "images"):
        raise ValueError(f"CVAT XML comes as 'video' or 'images', not {variant!r}")
    out = Path(out)
    videos = dataset.by_id("videos")
    video_ids = sorted({i.video_id for i in dataset.instances})
    if not video_ids:
        raise InterchangeError("nothing to write: there are no labels or predictions to export")
    targets = files_per_video(out, video_ids, videos, ".xml",
                              "a CVAT XML file holds one task (one video); these labels are in {n} ({names}): give a folder")  # fmt: skip
    written = []
    documents = [(targets[v], _document(dataset, v, variant)) for v in video_ids]
    for target, root in documents:
        ET.indent(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.stem}.partial{target.suffix}")
        try:
            ET.ElementTree(root).write(partial, encoding="utf-8", xml_declaration=True)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        written.append(target)
    return written


def _document(dataset: Dataset, video_id: int, variant: str) -> ET.Element:
    video = dataset.by_id("videos")[video_id]
    instances = [i for i in dataset.instances if i.video_id == video_id]
    names = _LabelNames(dataset, instances)
    root = ET.Element("annotations")
    ET.SubElement(root, "version").text = "1.1"
    meta = ET.SubElement(root, "meta")
    task = ET.SubElement(meta, "task")
    size = max(video.frame_count, max(i.frame_index for i in instances) + 1)
    for tag, value in (("id", "1"), ("name", Path(video.display_name).stem), ("size", str(size)),
                       ("mode", "interpolation" if variant == "video" else "annotation"), ("overlap", "0"),
                       ("start_frame", "0"), ("stop_frame", str(size - 1)), ("frame_filter", ""), ("source", Path(video.path).name)):  # fmt: skip
        ET.SubElement(task, tag).text = value
    names.write_labels(ET.SubElement(task, "labels"), tracked=any(i.track_id is not None for i in instances))
    original = ET.SubElement(task, "original_size")
    ET.SubElement(original, "width").text = str(video.width)
    ET.SubElement(original, "height").text = str(video.height)
    ET.SubElement(meta, "dumped").text = datetime.datetime.now(datetime.timezone.utc).isoformat(sep=" ")
    tracks = dataset.by_id("tracks")
    if variant == "images":
        _images(root, instances, video, names, tracks)
    else:
        _tracks(root, instances, size, names, tracks)
    return root


class _LabelNames:
    """CVAT labels for the classes and skeletons used (one namespace: see the module doc)."""

    def __init__(self, dataset: Dataset, instances: list[Instance]) -> None:
        classes, skeletons = dataset.by_id("label_classes"), dataset.by_id("skeletons")
        self.classes = {c: classes[c] for c in sorted({i.class_id for i in instances if i.class_id in classes})}
        self.skeletons = {s: skeletons[s] for s in sorted({i.skeleton_id for i in instances if i.keypoints is not None and i.skeleton_id in skeletons})}
        shaped = {i.class_id for i in instances if i.box is not None or i.polygons or i.mask is not None}
        self.class_label = {c: record.name for c, record in self.classes.items()}
        taken = {self.class_label[c] for c in shaped if c in self.class_label}
        self.skeleton_label = {s: (f"{r.name}-skeleton" if r.name in taken else r.name) for s, r in self.skeletons.items()}
        self.shaped = shaped

    def for_shapes(self, instance: Instance) -> str:
        return self.class_label.get(instance.class_id, "object")

    def write_labels(self, labels: ET.Element, tracked: bool) -> None:
        used = {self.class_label[c] for c in self.shaped if c in self.class_label}
        if any(c not in self.class_label for c in self.shaped):
            used.add("object")
        for name in sorted(used):
            self._label(labels, name, "any", tracked)
        for s, skeleton in self.skeletons.items():
            name = self.skeleton_label[s]
            label = self._label(labels, name, "skeleton", tracked)
            ET.SubElement(label, "svg").text = _svg(skeleton)
            for node in skeleton.nodes:
                child = self._label(labels, node, "points", False)
                ET.SubElement(child, "parent").text = name

    @staticmethod
    def _label(labels: ET.Element, name: str, kind: str, tracked: bool) -> ET.Element:
        label = ET.SubElement(labels, "label")
        ET.SubElement(label, "name").text = name
        ET.SubElement(label, "type").text = kind
        attributes = ET.SubElement(label, "attributes")
        if tracked:
            attribute = ET.SubElement(attributes, "attribute")
            for tag, value in (("name", TRACK_ATTRIBUTE), ("mutable", "False"), ("input_type", "text"), ("default_value", ""), ("values", "")):
                ET.SubElement(attribute, tag).text = value
        return label


def _svg(skeleton) -> str:
    """The skeleton drawing CVAT keeps with a skeleton label: nodes on a circle, edges between them."""
    parts = []
    angle = np.linspace(0, 2 * np.pi, len(skeleton.nodes), endpoint=False)
    xy = np.column_stack([50 + 40 * np.cos(angle), 50 + 40 * np.sin(angle)])
    for a, b in skeleton.edges:
        parts.append(f'<line x1="{xy[a, 0]:.2f}" y1="{xy[a, 1]:.2f}" x2="{xy[b, 0]:.2f}" y2="{xy[b, 1]:.2f}" stroke="black" '
                     f'data-type="edge" data-node-from="{a + 1}" stroke-width="0.5" data-node-to="{b + 1}"></line>')  # fmt: skip
    for n, node in enumerate(skeleton.nodes):
        parts.append(f'<circle r="1.5" stroke="black" fill="#b3b3b3" cx="{xy[n, 0]:.2f}" cy="{xy[n, 1]:.2f}" stroke-width="0.1" '
                     f'data-type="element node" data-element-id="{n + 1}" data-node-id="{n + 1}" data-label-name="{node}"></circle>')  # fmt: skip
    return "".join(parts)


def _shapes(instance: Instance, names: _LabelNames) -> list[tuple[str, str, dict, list]]:
    """`(kind, label, attributes, skeleton points)` of each CVAT shape of an instance."""
    occluded = "0"
    shapes = []
    label = names.for_shapes(instance)
    if instance.box is not None:
        b = instance.box
        shapes.append(("box", label, {"occluded": occluded, "xtl": _n(b.x1), "ytl": _n(b.y1), "xbr": _n(b.x2), "ybr": _n(b.y2)}, []))
    for polygon in instance.polygons:
        shapes.append(("polygon", label, {"occluded": occluded, "points": ";".join(f"{_n(x)},{_n(y)}" for x, y in polygon)}, []))
    if instance.mask is not None:
        mask = _cvat_rle(instance.mask.to_array())
        if mask is not None:
            shapes.append(("mask", label, {"occluded": occluded, **mask}, []))
    if instance.keypoints is not None and instance.skeleton_id in names.skeletons:
        skeleton = names.skeletons[instance.skeleton_id]
        points = []
        for node, (x, y, v) in zip(skeleton.nodes, instance.keypoints):
            points.append({"label": node, "occluded": "1" if v == 1 else "0", "outside": "1" if v == 0 else "0", "points": f"{_n(x)},{_n(y)}"})
        shapes.append(("skeleton", names.skeleton_label[instance.skeleton_id], {}, points))
    return shapes


def _n(value) -> str:
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _cvat_rle(mask: np.ndarray) -> dict | None:
    """CVAT's mask encoding: runs over the mask's tight crop, row by row, starting with 0s."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return None
    top, left = int(rows[0]), int(cols[0])
    crop = mask[top : int(rows[-1]) + 1, left : int(cols[-1]) + 1].reshape(-1)
    changes = np.flatnonzero(np.diff(crop.astype(np.int8))) + 1
    bounds = np.concatenate([[0], changes, [len(crop)]])
    runs = np.diff(bounds).tolist()
    if crop[0]:
        runs = [0] + runs
    return {"rle": ", ".join(map(str, runs)), "left": str(left), "top": str(top),
            "width": str(int(cols[-1]) - left + 1), "height": str(int(rows[-1]) - top + 1)}  # fmt: skip


def _attach(element: ET.Element, attributes: dict, points: list, track_name: str | None, in_track: bool) -> None:
    for point in points:
        ET.SubElement(element, "points", {**point, **({"keyframe": "1"} if in_track else {"source": "manual"})})
    if track_name is not None:
        ET.SubElement(element, "attribute", {"name": TRACK_ATTRIBUTE}).text = track_name


def _images(root: ET.Element, instances: list[Instance], video, names: _LabelNames, tracks: dict) -> None:
    by_frame: dict[int, list[Instance]] = {}
    for instance in instances:
        by_frame.setdefault(instance.frame_index, []).append(instance)
    group = 0
    for frame, on_frame in sorted(by_frame.items()):
        image = ET.SubElement(root, "image", {"id": str(frame), "name": f"frame_{frame:06d}", "width": str(video.width), "height": str(video.height)})
        for instance in on_frame:
            shapes = _shapes(instance, names)
            group += len(shapes) > 1
            track = tracks[instance.track_id].name if instance.track_id in tracks else None
            for kind, label, attributes, points in shapes:
                extra = {"group_id": str(group)} if len(shapes) > 1 else {}
                element = ET.SubElement(image, kind, {"label": label, "source": _source(instance), **attributes, "z_order": "0", **extra})
                _attach(element, attributes, points, track, in_track=False)


def _source(instance: Instance) -> str:
    return "auto" if instance.source == "predicted" else "manual"


def _tracks(root: ET.Element, instances: list[Instance], size: int, names: _LabelNames, tracks: dict) -> None:
    number, group = 0, 0
    tracked: dict[int, list[Instance]] = {}
    for instance in instances:
        if instance.track_id in tracks:
            tracked.setdefault(instance.track_id, []).append(instance)
    for track_id, members in sorted(tracked.items()):
        group += 1
        by_kind: dict[tuple[str, str], list[tuple[Instance, dict, list]]] = {}
        for instance in sorted(members, key=lambda i: (i.frame_index, i.source != "user")):
            for kind, label, attributes, points in _shapes(instance, names):
                shapes = by_kind.setdefault((kind, label), [])
                if not shapes or shapes[-1][0].frame_index != instance.frame_index:  # a label wins over a prediction
                    shapes.append((instance, attributes, points))
        for (kind, label), shapes in by_kind.items():
            _track(root, number, label, kind, shapes, size, group if len(by_kind) > 1 else 0, tracks[track_id].name)
            number += 1
    for instance in instances:
        if instance.track_id in tracks:
            continue
        shapes = _shapes(instance, names)
        group += len(shapes) > 1
        for kind, label, attributes, points in shapes:
            _track(root, number, label, kind, [(instance, attributes, points)], size, group if len(shapes) > 1 else 0, None)
            number += 1


def _track(root, number: int, label: str, kind: str, shapes: list, size: int, group: int, name: str | None) -> None:
    first = shapes[0][0]
    attributes = {"id": str(number), "label": label, "source": _source(first)}
    if group:
        attributes["group_id"] = str(group)
    track = ET.SubElement(root, "track", attributes)
    for n, (instance, shape, points) in enumerate(shapes):
        frame = instance.frame_index
        element = ET.SubElement(track, kind, {"frame": str(frame), "keyframe": "1", "outside": "0", **shape, "z_order": "0"})
        element.attrib.setdefault("occluded", "0")
        _attach(element, shape, points, name, in_track=True)
        following = shapes[n + 1][0].frame_index if n + 1 < len(shapes) else None
        if frame + 1 < size and following != frame + 1:  # a gap (or the end) starts: CVAT's `outside`
            closing = ET.SubElement(track, kind, {"frame": str(frame + 1), "keyframe": "1", "outside": "1", **shape, "z_order": "0"})
            closing.attrib.setdefault("occluded", "0")
            _attach(closing, shape, points, name, in_track=True)
