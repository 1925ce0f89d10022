"""CVAT XML 1.1, read: "CVAT for video 1.1" (tracks) and "CVAT for images 1.1" (images), as
CVAT's published XML format describes them (docs: "XML annotation format"); writing is
`cvat_write.py`. Parsed with the standard library's ElementTree (its expat refuses entity
expansion bombs; no other XML library is needed for one flat document).

- `box`, `polygon` and `mask` become an instance's box, polygons and mask (CVAT's mask RLE:
  run lengths over the `left, top, width, height` crop, row by row, starting with a run of 0s);
  `skeleton` becomes keypoints of a skeleton built from the label's sublabels (nodes, in the
  order listed) and the edges in its `svg`; a `points` shape becomes keypoints of a skeleton
  named after its label with nodes `1`, `2`... A point `outside` is unlabelled, `occluded` is
  occluded (visibility 1).
- Shapes with the same `group_id` on one frame are one instance (a box and a skeleton of one
  animal), as are shapes of tracks that share a `group_id`.
- A track becomes an Ethoframe track (named by its `track` attribute when it has one, as
  Ethoframe writes it, else `<label> <id>`; a one-frame track without one is a plain shape, as
  CVAT writes shapes in this variant), expanded to every frame it covers: between two
  keyframes boxes, points and polygons of equal length are interpolated linearly, as CVAT does;
  masks are held; `outside` ends the track until its next shape; a track whose last shape is
  not `outside` lasts to the task's last frame.
- Frames are the task's frame numbers mapped to the video's: `start_frame + n * step`.
- The video: the task's `source` file next to the XML (or one folder up), else the folder of the
  images the file names; else it is recorded as missing (relink it).

Ethoframe keeps no per-shape attributes, polylines, cuboids, ellipses or tags: they are counted
in the import's notes. CVAT XML carries no scores: everything comes in as labels.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.domain import Box, Instance, Rle, Skeleton
from core.interchange.dataset import Dataset
from core.interchange.errors import MalformedFileError
from core.interchange.validation import MAX_SIDE, finite_number, whole_number

SHAPES = ("box", "polygon", "mask", "skeleton", "points")
DROPPED = ("polyline", "cuboid", "ellipse", "tag")
TRACK_ATTRIBUTE = "track"


def is_cvat_xml(path: Path) -> bool:
    """An XML file whose root is CVAT's `<annotations>`."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(2048)
    except OSError:
        return False
    return b"<annotations" in head


@dataclass
class _Label:
    name: str
    type: str = "any"
    parent: str | None = None
    svg: str = ""


@dataclass
class _Piece:
    """What one shape says about the instance it belongs to."""

    label: str
    kind: str
    box: Box | None = None
    polygon: np.ndarray | None = None
    mask: Rle | None = None
    skeleton: str | None = None
    keypoints: np.ndarray | None = None
    occluded: bool = False


@dataclass
class _Task:
    size: int = 0
    start: int = 0
    step: int = 1
    stop: int | None = None
    source: str | None = None
    width: int = 0
    height: int = 0
    name: str = "cvat"
    labels: dict[str, _Label] = field(default_factory=dict)


def read_cvat(path: str | Path) -> Dataset:
    """A `Dataset` of a CVAT XML 1.1 file (video or images variant)."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        line, column = error.position
        raise MalformedFileError(path, f"not well-formed XML ({error.msg if hasattr(error, 'msg') else error})", f"line {line}, column {column}") from None
    if root.tag != "annotations":
        raise MalformedFileError(path, f"its root element is <{root.tag}>, not CVAT's <annotations>")
    task = _task(root, path)
    skeletons = _skeletons(task, path)
    dataset = Dataset(source=path)
    notes: dict[str, int] = {}
    video_id = _video(dataset, root, task, path)
    pieces: dict[tuple[int, tuple], list[_Piece]] = {}
    tracks: dict[tuple[int, tuple], str] = {}
    for number, image in enumerate(root.iter("image")):
        record = f"image {image.get('id', number)}"
        frame = _frame(task, whole_number(image.get("id", number), path, record, "its id"), path, record)
        for k, element in enumerate(image):
            piece = _piece(element, task, skeletons, path, f"{record}, {element.tag} {k + 1}", notes)
            if piece is not None:
                group = element.get("group_id", "0")
                key = ("group", group) if group not in ("", "0") else ("shape", number, k)
                pieces.setdefault((frame, key), []).append(piece)
                name = _track_attribute(element)
                if name:
                    tracks[(frame, key)] = name
    for number, track in enumerate(root.iter("track")):
        record = f"track {track.get('id', number)}"
        label = track.get("label")
        if label is None:
            raise MalformedFileError(path, "a track without a label", record)
        group = track.get("group_id", "0")
        key = ("group", group) if group not in ("", "0") else ("track", track.get("id", str(number)))
        covered = list(_expand(track, label, task, skeletons, path, record, notes))
        name = next((n for n in (_track_attribute(e) for _, _, e in covered) if n), None)
        if name is None and len({frame for frame, _, _ in covered}) > 1:
            name = f"{label} {track.get('id', number)}"  # a one-frame track is how CVAT writes a plain shape
        for frame, piece, element in covered:
            pieces.setdefault((frame, key), []).append(piece)
            if name is not None:
                tracks[(frame, key)] = name
    for (frame, key), parts in sorted(pieces.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        instance = _instance(dataset, video_id, frame, parts, skeletons, tracks.get((frame, key)))
        dataset.add_instance(instance, f"frame {frame}")
    for what, count in sorted(notes.items()):
        dataset.notes.append(f"{count} {what} not kept: Ethoframe has no place for them")
    return dataset


def _task(root: ET.Element, path: Path) -> _Task:
    task = _Task()
    meta = root.find("meta")
    found = [meta.find(tag) for tag in ("task", "job", "project")] if meta is not None else []
    node = next((n for n in found if n is not None), None)
    if node is None:
        return task
    number = lambda tag, default=0: whole_number(node.findtext(tag) or default, path, "meta", f"<{tag}>")  # noqa: E731
    task.size, task.start = number("size"), number("start_frame")
    stop = node.findtext("stop_frame")
    task.stop = whole_number(stop, path, "meta", "<stop_frame>") if stop not in (None, "") else None
    step = re.search(r"step\s*=\s*(\d+)", node.findtext("frame_filter") or "")
    task.step = max(1, int(step.group(1))) if step else 1
    task.source = (node.findtext("source") or "").strip() or None
    task.name = (node.findtext("name") or "cvat").strip() or "cvat"
    size = node.find("original_size")
    if size is not None:
        task.width = whole_number(size.findtext("width") or 0, path, "meta", "<original_size><width>", high=MAX_SIDE)
        task.height = whole_number(size.findtext("height") or 0, path, "meta", "<original_size><height>", high=MAX_SIDE)
    labels = node.find("labels")
    if labels is None:
        labels = node.find("tasks/task/labels")  # a project export lists labels per task too
    for label in labels.iter("label") if labels is not None else ():
        name = (label.findtext("name") or "").strip()
        if name:
            task.labels[name] = _Label(name, (label.findtext("type") or "any").strip(), (label.findtext("parent") or "").strip() or None, label.findtext("svg") or "")
    return task


def _skeletons(task: _Task, path: Path) -> dict[str, Skeleton]:
    """Skeleton labels as skeletons: nodes are the sublabels, edges come from the label's svg."""
    skeletons = {}
    for label in task.labels.values():
        if label.type != "skeleton":
            continue
        nodes = [child.name for child in task.labels.values() if child.parent == label.name]
        if not nodes:
            raise MalformedFileError(path, f"skeleton label {label.name!r} has no point sublabels", "meta")
        ids = dict(re.findall(r'data-node-id="(\d+)"[^>]*?data-label-name="([^"]*)"', label.svg))
        ids.update({k: v for v, k in re.findall(r'data-label-name="([^"]*)"[^>]*?data-node-id="(\d+)"', label.svg)})
        edges = []
        for a, b in re.findall(r'data-node-from="(\d+)"[^>]*?data-node-to="(\d+)"', label.svg):
            if ids.get(a) in nodes and ids.get(b) in nodes:
                edges.append((ids[a], ids[b]))
        skeletons[label.name] = Skeleton.from_names(label.name, nodes, edges)
    return skeletons


def _video(dataset: Dataset, root: ET.Element, task: _Task, path: Path) -> int:
    from core.video import VideoError, probe_video

    images = list(root.iter("image"))
    if images and not task.width:
        task.width = whole_number(images[0].get("width", 0) or 0, path, "image 0", "its width", high=MAX_SIDE)
        task.height = whole_number(images[0].get("height", 0) or 0, path, "image 0", "its height", high=MAX_SIDE)
    width, height = task.width, task.height
    frames = task.size
    candidates = [path.parent / task.source, path.parent.parent / task.source] if task.source else []
    video = next((c for c in candidates if c.exists()), None)
    if video is None and images:
        named = [Path(image.get("name", "")) for image in images]
        for folder in (path.parent, path.parent / "images"):
            if named[0].name and (folder / named[0]).is_file():
                video = (folder / named[0]).parent
                break
    if video is not None:
        try:
            info = probe_video(video)
        except VideoError as error:
            raise MalformedFileError(path, f"cannot read the video it names, {video.name}: {error}") from None
        last = task.start + (max(task.size, 1) - 1) * task.step
        if task.size and last >= info.frame_count:
            raise MalformedFileError(
                path, f"its task has {task.size} frames (video frames {task.start} to {last}); {video.name} has {info.frame_count}: "
                "was it exported from another video?",
            )  # fmt: skip
        frames = info.frame_count
    if video is None:
        video = path.parent / (task.source or task.name)
    return dataset.add_video(video.resolve() if video.exists() else video, frames, 0.0, width, height)


def _frame(task: _Task, frame: int, path: Path, record: str) -> int:
    if task.size and frame >= task.size:
        raise MalformedFileError(path, f"frame {frame} is past the task's {task.size} frames", record)
    return task.start + frame * task.step


def _track_attribute(element: ET.Element) -> str | None:
    for attribute in element.iter("attribute"):
        if attribute.get("name") == TRACK_ATTRIBUTE and (attribute.text or "").strip():
            return attribute.text.strip()
    return None


def _points(text: str | None, path: Path, record: str) -> np.ndarray:
    try:
        values = [float(v) for pair in (text or "").split(";") if pair.strip() for v in pair.split(",")]
    except ValueError:
        raise MalformedFileError(path, f"points {text!r} are not 'x,y;x,y;...'", record) from None
    if len(values) % 2 or not values:
        raise MalformedFileError(path, f"points {text!r} are not 'x,y;x,y;...'", record)
    points = np.array(values, dtype=np.float64).reshape(-1, 2)
    if not np.isfinite(points).all():
        raise MalformedFileError(path, "a point is not a finite number", record)
    return points


def _piece(element: ET.Element, task: _Task, skeletons: dict[str, Skeleton], path: Path, record: str, notes: dict, label: str | None = None) -> _Piece | None:
    kind = element.tag
    label = label or element.get("label")
    if kind in DROPPED:
        notes[f"CVAT {kind}s"] = notes.get(f"CVAT {kind}s", 0) + 1
        return None
    if kind not in SHAPES:
        return None
    if label is None:
        raise MalformedFileError(path, f"a <{kind}> without a label", record)
    attributes = [a for a in element.findall("attribute") if a.get("name") != TRACK_ATTRIBUTE]
    if attributes:
        notes["attribute values"] = notes.get("attribute values", 0) + len(attributes)
    occluded = element.get("occluded", "0") == "1"
    number = lambda name: finite_number(element.get(name), path, record, name)  # noqa: E731
    if kind == "box":
        return _Piece(label, kind, box=Box(number("xtl"), number("ytl"), number("xbr"), number("ybr")), occluded=occluded)
    if kind == "polygon":
        return _Piece(label, kind, polygon=_points(element.get("points"), path, record), occluded=occluded)
    if kind == "mask":
        return _Piece(label, kind, mask=_mask(element, task, path, record), occluded=occluded)
    if kind == "points":
        xy = _points(element.get("points"), path, record)
        keypoints = np.column_stack([xy, np.full(len(xy), 1.0 if occluded else 2.0)])
        return _Piece(label, kind, skeleton=label, keypoints=keypoints)
    skeleton = skeletons.get(label)
    if skeleton is None:
        raise MalformedFileError(path, f"a skeleton of label {label!r}, which the file's labels do not define as a skeleton", record)
    keypoints = np.zeros((len(skeleton.nodes), 3))
    for point in element.findall("points"):
        node = point.get("label")
        if node not in skeleton.nodes:
            raise MalformedFileError(path, f"skeleton point {node!r} is not a node of {label!r} ({', '.join(skeleton.nodes)})", record)
        if point.get("outside", "0") == "1":
            continue
        xy = _points(point.get("points"), path, record)[0]
        keypoints[skeleton.nodes.index(node)] = [xy[0], xy[1], 1 if point.get("occluded", "0") == "1" else 2]
    if not (keypoints[:, 2] > 0).any():  # every point outside: the skeleton is not on this frame
        return None
    return _Piece(label, kind, skeleton=label, keypoints=keypoints)


def _mask(element: ET.Element, task: _Task, path: Path, record: str) -> Rle:
    left, top = (whole_number(element.get(k), path, record, k, high=MAX_SIDE) for k in ("left", "top"))
    width, height = (whole_number(element.get(k), path, record, k, high=MAX_SIDE) for k in ("width", "height"))
    try:
        runs = np.array([int(v) for v in (element.get("rle") or "").split(",") if v.strip()], dtype=np.int64)
    except ValueError:
        raise MalformedFileError(path, "its mask rle is not a list of whole numbers", record) from None
    if (runs < 0).any() or runs.sum() != width * height:
        raise MalformedFileError(path, f"its mask rle covers {int(runs.sum())} pixels; its {width}x{height} crop has {width * height}", record)
    crop = np.repeat(np.arange(len(runs)) % 2 == 1, runs).reshape(height, width)
    frame_w = max(task.width, left + width)
    frame_h = max(task.height, top + height)
    full = np.zeros((frame_h, frame_w), dtype=bool)
    full[top : top + height, left : left + width] = crop
    return Rle.from_array(full)


def _expand(track: ET.Element, label: str, task: _Task, skeletons, path: Path, record: str, notes: dict) -> Iterator[tuple[int, _Piece, ET.Element]]:
    """Every frame a track covers, with its shape there (interpolated between keyframes)."""
    shapes = []
    for k, element in enumerate(track):
        if element.tag not in SHAPES + DROPPED:
            continue
        frame = whole_number(element.get("frame"), path, f"{record}, shape {k + 1}", "its frame")
        _frame(task, frame, path, f"{record}, shape {k + 1}")  # a frame past the task is refused, not dropped
        outside = element.get("outside", "0") == "1"
        piece = None if outside else _piece(element, task, skeletons, path, f"{record}, frame {frame}", notes, label)
        shapes.append((frame, piece, element))
    shapes.sort(key=lambda s: s[0])
    last_frame = (task.size - 1) if task.size else (shapes[-1][0] if shapes else 0)
    for n, (frame, piece, element) in enumerate(shapes):
        if piece is None:
            continue
        following = shapes[n + 1] if n + 1 < len(shapes) else None
        end = following[0] if following is not None else last_frame + 1
        for f in range(frame, end):
            if f > last_frame:
                break
            between = piece if following is None or following[1] is None or f == frame else _interpolate(piece, following[1], (f - frame) / (following[0] - frame))
            yield _frame(task, f, path, record), between, element


def _interpolate(a: _Piece, b: _Piece, t: float) -> _Piece:
    mix = lambda u, v: u + (v - u) * t  # noqa: E731
    if a.kind != b.kind:
        return a
    if a.box is not None and b.box is not None:
        return _Piece(a.label, a.kind, box=Box(*(mix(np.array(a.box.as_tuple()), np.array(b.box.as_tuple())))), occluded=a.occluded)
    if a.polygon is not None and b.polygon is not None and a.polygon.shape == b.polygon.shape:
        return _Piece(a.label, a.kind, polygon=mix(a.polygon, b.polygon), occluded=a.occluded)
    if a.keypoints is not None and b.keypoints is not None and a.keypoints.shape == b.keypoints.shape:
        both = (a.keypoints[:, 2] > 0) & (b.keypoints[:, 2] > 0)
        keypoints = a.keypoints.copy()
        keypoints[both, :2] = mix(a.keypoints[both, :2], b.keypoints[both, :2])
        return _Piece(a.label, a.kind, skeleton=a.skeleton, keypoints=keypoints)
    return a


def _instance(dataset: Dataset, video_id: int, frame: int, parts: list[_Piece], skeletons, track: str | None) -> Instance:
    shapes = [p for p in parts if p.kind in ("box", "polygon", "mask")]
    posed = next((p for p in parts if p.keypoints is not None), None)
    label = shapes[0].label if shapes else posed.label
    skeleton_id = None
    keypoints = None
    if posed is not None:
        skeleton = skeletons.get(posed.skeleton) or Skeleton.from_names(posed.skeleton, [str(i + 1) for i in range(len(posed.keypoints))])
        skeleton_id = dataset.add_skeleton(skeleton)
        keypoints = posed.keypoints.astype(np.float32)
        if len(dataset.by_id("skeletons")[skeleton_id].nodes) != len(keypoints):  # a `points` label with another count
            nodes = max(len(dataset.by_id("skeletons")[skeleton_id].nodes), len(keypoints))
            skeleton_id = dataset.add_skeleton(Skeleton.from_names(posed.skeleton, [str(i + 1) for i in range(nodes)]))
            keypoints = np.vstack([keypoints, np.zeros((nodes - len(keypoints), 3), np.float32)])[:nodes]
    box = next((p.box for p in shapes if p.box is not None), None)
    mask = next((p.mask for p in shapes if p.mask is not None), None)
    polygons = tuple(p.polygon for p in shapes if p.polygon is not None)
    return Instance(
        video_id=video_id, frame_index=frame, class_id=dataset.label_class(label),
        track_id=dataset.track(track) if track else None, skeleton_id=skeleton_id, box=box,
        polygons=polygons, mask=mask, keypoints=keypoints,
    )  # fmt: skip
