"""Ultralytics YOLO datasets: `data.yaml` plus `images/<split>/` and `labels/<split>/` folders,
one text line per object, coordinates normalised to the image size.

Detect lines are `class cx cy w h`; segment lines `class x1 y1 x2 y2 ...` (one polygon);
pose lines `class cx cy w h` then `x y [v]` per keypoint (`kpt_shape: [n, 2 or 3]` in data.yaml,
`flip_idx` for the symmetric pairs). Ethoframe adds `kpt_names`, `skeleton_name` and
`skeleton_edges` to data.yaml (Ultralytics ignores keys it does not know). Each split's image
folder becomes an image-folder video. YOLO has no tracks, no scores of labels, one polygon per
object and no occluded/visible distinction with 2-value keypoints.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from core.domain import Box, Instance, Skeleton
from core.interchange.dataset import Dataset
from core.interchange.errors import InterchangeError, MalformedFileError
from core.interchange.images import ImageIndex, frame_names, image_size, write_frames
from core.interchange.validation import MAX_SIDE
from core.interchange.yaml_files import dump_yaml, load_yaml
from core.video.fingerprint import list_images

SPLITS = ("train", "val", "test")
TOLERANCE = 1e-3  # normalised coordinates a hair outside [0, 1] come from rounding
MAX_NODES = 1000
MAX_LABEL_BYTES = 64 * 1024 * 1024


def find_data_yaml(path: Path) -> Path | None:
    if path.is_file():
        return path if path.suffix in (".yaml", ".yml") else None
    for name in ("data.yaml", "data.yml", "dataset.yaml"):
        if (path / name).is_file():
            return path / name
    return None


def read_yolo(path: str | Path) -> Dataset:
    yaml_path = find_data_yaml(Path(path))
    if yaml_path is None:
        raise MalformedFileError(path, "a YOLO dataset needs a data.yaml")
    config = load_yaml(yaml_path)
    names = config.get("names")
    if isinstance(names, list):
        names = dict(enumerate(names))
    if not isinstance(names, dict) or not names:
        raise MalformedFileError(yaml_path, "'names' must list the classes", "names")
    dataset = Dataset(source=yaml_path)
    classes = {}
    for key, name in names.items():
        if isinstance(key, bool) or not (isinstance(key, int) or (isinstance(key, str) and key.isdigit())):
            raise MalformedFileError(yaml_path, f"'names' maps class numbers to names; {key!r} is not a class number", "names")
        if not isinstance(name, (str, int, float)):
            raise MalformedFileError(yaml_path, f"class {key}'s name must be text, not a {type(name).__name__}", "names")
        classes[int(key)] = dataset.label_class(str(name))
    n_kpt, dims, skeleton_id = _skeleton(config, dataset, yaml_path)
    root = (yaml_path.parent / str(config.get("path", "."))).resolve() if config.get("path") else yaml_path.parent.resolve()
    if not root.is_relative_to(yaml_path.parent.resolve()):
        root = yaml_path.parent.resolve()  # an absolute `path` from another machine: use the yaml's folder
    index = ImageIndex(dataset, root)
    seen: set[Path] = set()
    for split in SPLITS:
        for entry in _as_list(config.get(split)):
            folder = (root / str(entry)).resolve()
            if not folder.is_relative_to(root):
                raise MalformedFileError(yaml_path, f"{entry!r} leads outside {root}", split)
            if folder in seen or not folder.is_dir():
                continue
            seen.add(folder)
            for image in list_images(folder):
                video_id, frame = index.locate(str(image.relative_to(root)), yaml_path, f"image {image.name}")
                label = _label_path(image)
                if label.is_file():
                    size = None
                    for number, line in enumerate(_label_lines(label, root)):
                        if line.strip():
                            record = f"line {number + 1}"
                            width, height = size = size or _image_size(image)
                            instance = _parse(line, label, record, classes, n_kpt, dims, skeleton_id, width, height)
                            dataset.add_instance(Instance(video_id, frame, **instance), f"{label.name}, {record}")
    if not seen:
        raise MalformedFileError(yaml_path, "names no image folder that exists (train/val/test)")
    return dataset


def _label_lines(label: Path, root: Path) -> list[str]:
    """A label file's lines; a link to a file outside the dataset is refused unread (its
    first line would otherwise be quoted in the error, a leak of a system file)."""
    if label.is_symlink() and not label.resolve().is_relative_to(root):
        raise MalformedFileError(label, f"is a link to a file outside {root}; Ethoframe does not follow it")
    try:
        if label.stat().st_size > MAX_LABEL_BYTES:
            raise MalformedFileError(label, f"larger than {MAX_LABEL_BYTES // (1024 * 1024)} MB: not a YOLO label file")
        return label.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise MalformedFileError(label, "not a text file (YOLO label lines expected)") from None


def _image_size(image: Path) -> tuple[int, int]:
    try:
        width, height = image_size(image)
    except Exception as error:  # Pillow and OpenCV raise many kinds for a damaged image
        raise MalformedFileError(image, f"cannot be read as an image ({type(error).__name__})") from None
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise MalformedFileError(image, f"is {width}x{height} pixels, larger than any frame Ethoframe opens")
    return width, height


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def _label_path(image: Path) -> Path:
    """Ultralytics' rule: the last `images` folder of the path becomes `labels`, suffix `.txt`."""
    parts = list(image.parts)
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "images":
            parts[i] = "labels"
            break
    return Path(*parts).with_suffix(".txt")


def _skeleton(config: dict, dataset: Dataset, yaml_path: Path) -> tuple[int, int, int | None]:
    shape = config.get("kpt_shape")
    if not shape:
        return 0, 0, None
    if not (isinstance(shape, list) and len(shape) == 2 and shape[1] in (2, 3) and _index(shape[0], MAX_NODES + 1) > 0):
        raise MalformedFileError(yaml_path, f"kpt_shape must be [n_keypoints (at most {MAX_NODES}), 2 or 3], not {shape!r}", "kpt_shape")
    n = int(shape[0])
    names = config.get("kpt_names") or []
    if isinstance(names, dict):  # Ultralytics' newer form: {class: [names]}
        names = next(iter(names.values()), [])
    if not isinstance(names, list) or not all(isinstance(v, (str, int, float)) for v in names):
        raise MalformedFileError(yaml_path, "kpt_names must be a list of node names", "kpt_names")
    nodes = [str(v) for v in names] or [f"kp{i}" for i in range(n)]
    flip = config.get("flip_idx") or list(range(n))
    if not isinstance(flip, list) or len(nodes) != n or len(flip) != n:
        raise MalformedFileError(yaml_path, f"kpt_names and flip_idx must be lists of {n} entries (kpt_shape)")
    if any(_index(j, n) < 0 for j in flip):
        raise MalformedFileError(yaml_path, f"flip_idx must hold node numbers from 0 to {n - 1}", "flip_idx")
    symmetries = [(i, int(j)) for i, j in enumerate(flip) if i < int(j)]
    edges = config.get("skeleton_edges") or []
    if not isinstance(edges, list) or not all(isinstance(e, list) and len(e) == 2 and min(_index(v, n) for v in e) >= 0 for e in edges):
        raise MalformedFileError(yaml_path, f"skeleton_edges must be pairs of node numbers from 0 to {n - 1}", "skeleton_edges")
    edges = [(int(a), int(b)) for a, b in edges]
    try:
        skeleton = Skeleton(str(config.get("skeleton_name", "yolo")), tuple(nodes), edges, symmetries)
    except ValueError as error:
        raise MalformedFileError(yaml_path, str(error), "kpt_names") from None
    return n, int(shape[1]), dataset.add_skeleton(skeleton)


def _index(value, n: int) -> int:
    """`value` as a node number below `n`, or -1 when it is not one."""
    return int(value) if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < n else -1


def _parse(line, label, record, classes, n_kpt, dims, skeleton_id, width, height) -> dict:
    fields = line.split()
    try:
        values = [float(v) for v in fields[1:]]
        class_index = int(fields[0])
    except ValueError:
        raise MalformedFileError(label, f"expected numbers, found {_quote(line)}", record) from None
    if not all(math.isfinite(v) for v in values):
        raise MalformedFileError(label, "a coordinate is not a finite number (NaN or Inf)", record)
    if class_index not in classes:
        raise MalformedFileError(label, f"class {class_index} is not in data.yaml's names", record)
    if len(values) < 4:
        raise MalformedFileError(label, f"expected at least 5 numbers (class cx cy w h), found {len(fields)}", record)
    if min(values) < -TOLERANCE or max(values[:4] if n_kpt else values) > 1 + TOLERANCE:
        raise MalformedFileError(label, "coordinates must be normalised to [0, 1]", record)
    scale = np.array([width, height], dtype=np.float64)
    found: dict = {"class_id": classes[class_index]}
    if n_kpt:
        if len(values) != 4 + n_kpt * dims:
            raise MalformedFileError(label, f"a pose line has {5 + n_kpt * dims} numbers (kpt_shape), found {len(fields)}", record)
        found["box"] = _box(values[:4], scale)
        points = np.asarray(values[4:], dtype=np.float64).reshape(n_kpt, dims)
        if points[:, :2].max(initial=0.0) > 1 + TOLERANCE:
            raise MalformedFileError(label, "keypoint coordinates must be normalised to [0, 1]", record)
        if dims == 3 and not np.isin(points[:, 2], (0, 1, 2)).all():
            raise MalformedFileError(label, "a keypoint visibility must be 0, 1 or 2", record)
        keypoints = np.zeros((n_kpt, 3), dtype=np.float32)
        keypoints[:, :2] = points[:, :2] * scale
        visibility = points[:, 2] if dims == 3 else np.where((points[:, :2] != 0).any(axis=1), 2, 0)
        keypoints[:, 2] = np.rint(visibility)
        keypoints[keypoints[:, 2] == 0] = 0
        found.update(keypoints=keypoints, skeleton_id=skeleton_id)
    elif len(values) == 4:
        found["box"] = _box(values, scale)
    elif len(values) >= 6 and len(values) % 2 == 0:
        found["polygons"] = (np.asarray(values).reshape(-1, 2) * scale,)
    else:
        raise MalformedFileError(label, f"expected 5 numbers (detect) or an odd count of at least 7 (segment), found {len(fields)}", record)
    return found


def _quote(line: str) -> str:
    text = line.strip()
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")


def _box(values: list[float], scale: np.ndarray) -> Box:
    cx, cy, w, h = values
    return Box((cx - w / 2) * scale[0], (cy - h / 2) * scale[1], (cx + w / 2) * scale[0], (cy + h / 2) * scale[1])


def write_yolo(dataset: Dataset, out: str | Path, progress=None) -> list[Path]:
    """Write a YOLO dataset (task: pose when instances have keypoints, else segment when they
    have shapes, else detect) into folder `out`; every labelled frame goes to `train`."""
    out = Path(out)
    skeleton_ids = {i.skeleton_id for i in dataset.instances if i.keypoints is not None}
    if len(skeleton_ids) > 1:
        raise InterchangeError("a YOLO pose dataset holds one skeleton; export one skeleton's instances at a time")
    task = "pose" if skeleton_ids else "segment" if any(i.polygons or i.mask for i in dataset.instances) else "detect"
    classes = {c.id: c.name for c in dataset.label_classes}
    skeleton = dataset.by_id("skeletons")[next(iter(skeleton_ids))] if skeleton_ids else None
    fallback = skeleton.name if skeleton else "object"
    used = sorted({i.class_id for i in dataset.instances if i.class_id in classes})
    order = {class_id: n for n, class_id in enumerate(used)}
    names = [classes[c] for c in used]
    if any(i.class_id not in classes for i in dataset.instances):
        order[None] = len(names)
        names.append(fallback)
    file_names = frame_names(dataset)
    videos = dataset.by_id("videos")
    lines: dict[tuple[int, int], list[str]] = {key: [] for key in file_names}
    skipped = 0
    for instance in dataset.instances:
        video = videos[instance.video_id]
        line = _line(instance, task, order.get(instance.class_id, order.get(None)), video.width, video.height)
        if line is None:
            skipped += 1
        else:
            lines[(instance.video_id, instance.frame_index)].append(line)
    (out / "labels" / "train").mkdir(parents=True, exist_ok=True)
    for key, name in file_names.items():
        (out / "labels" / "train" / Path(name).with_suffix(".txt").name).write_text("\n".join(lines[key]) + "\n", encoding="utf-8")
    write_frames(dataset, file_names, out / "images" / "train", progress)
    config: dict = {"path": ".", "train": "images/train", "val": "images/train", "names": dict(enumerate(names))}
    if skeleton:
        config.update(kpt_shape=[len(skeleton.nodes), 3], flip_idx=skeleton.flip_permutation(),
                      kpt_names=list(skeleton.nodes), skeleton_name=skeleton.name,
                      skeleton_edges=[list(e) for e in skeleton.edges])  # fmt: skip
    dump_yaml(config, out / "data.yaml")
    if skipped:
        dataset.notes.append(f"{skipped} instances had nothing a YOLO {task} line can hold and were left out")
    return [out / "data.yaml", out / "images", out / "labels"]


def _line(instance: Instance, task: str, class_index: int, width: int, height: int) -> str | None:
    box = instance.box.normalized() if instance.box else None
    if task == "segment":
        polygon = _polygon(instance)
        if polygon is None:
            return None
        normalised = polygon / np.array([width, height], dtype=np.float64)
        return " ".join([str(class_index)] + [f"{v:.6f}" for v in normalised.ravel()])
    if task == "pose" and instance.keypoints is None:
        return None
    if box is None:
        points = instance.keypoints[instance.keypoints[:, 2] > 0, :2] if instance.keypoints is not None else np.empty((0, 2))
        if instance.mask is not None:
            box = instance.mask.bounding_box()
        elif len(points):
            box = Box(*points.min(axis=0), *points.max(axis=0))
        else:
            return None
    cx, cy = (box.x1 + box.x2) / 2 / width, (box.y1 + box.y2) / 2 / height
    words = [str(class_index)] + [f"{v:.6f}" for v in (cx, cy, box.width / width, box.height / height)]
    if task == "pose":
        for x, y, v in instance.keypoints.astype(np.float64):
            words += ["0", "0", "0"] if v == 0 else [f"{x / width:.6f}", f"{y / height:.6f}", str(int(v))]
    return " ".join(words)


def _polygon(instance: Instance) -> np.ndarray | None:
    if instance.polygons:
        return max(instance.polygons, key=len)
    if instance.mask is not None:
        contours, _ = cv2.findContours(instance.mask.to_array().astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if contours:
            contour = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(np.float64)
            return contour if len(contour) >= 3 else None
    if instance.box is not None:
        b = instance.box.normalized()
        return np.array([[b.x1, b.y1], [b.x2, b.y1], [b.x2, b.y2], [b.x1, b.y2]])
    return None
