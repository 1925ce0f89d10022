"""COCO JSON: images (or video frames), boxes, polygon and RLE masks, keypoints with visibility
0/1/2, and categories with their keypoints and skeleton.

Ethoframe keeps what COCO has no field for in extra keys other tools ignore: a top-level
`videos` list with each image's `video_id` and `frame_index` (as COCO-VID/TAO do), `tracks`
with each annotation's `track_id`, a category's `color` and `symmetries`, an annotation's
`score` (which makes it a prediction, as in COCO result files) and `keypoint_scores`.
A category is one label class; its keypoints, when it has them, are one skeleton.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from pycocotools import mask as coco_mask

from core.domain import Box, Instance, Rle, Skeleton
from core.interchange.dataset import Dataset
from core.interchange.errors import InterchangeError, MalformedFileError
from core.interchange.images import ImageIndex, frame_names, write_frames
from core.interchange.validation import MAX_COORD, check_rle, check_rle_size, finite_number, plain_id, unique


def load_json(path: Path):
    """Parse a JSON file; a syntax error names its line and column. Nesting deeper than
    Python's recursion limit (JSON has none) is refused in one line."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise MalformedFileError(path, f"not valid JSON ({error.msg})", f"line {error.lineno}, column {error.colno}") from None
    except UnicodeDecodeError:
        raise MalformedFileError(path, "not a text file (JSON expected)") from None
    except RecursionError:
        raise MalformedFileError(path, "nested too deeply (lists or objects inside each other thousands of times)") from None
    except ValueError as error:  # a number of more digits than Python converts (int_max_str_digits)
        raise MalformedFileError(path, f"holds a value JSON readers cannot take ({' '.join(str(error).split())[:80]})") from None


def finite_json(document, path: Path, indent: int | None = None) -> str:
    """JSON text of `document`, refusing NaN and Infinity (which JSON has not: other tools fail on them)."""
    try:
        return json.dumps(document, indent=indent, allow_nan=False)
    except ValueError:
        raise InterchangeError(
            f"cannot write {path}: the project holds a number that is not finite (NaN or Inf); "
            "`ethoframe check PROJECT` finds it"
        ) from None


def read_coco(path: str | Path) -> Dataset:
    path = Path(path)
    data = load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("images"), list) or not isinstance(data.get("annotations"), list):
        raise MalformedFileError(path, "a COCO file is an object with 'images', 'annotations' and 'categories' lists")
    dataset = Dataset(source=path)
    categories = _categories(data.get("categories") or [], dataset, path)
    tracks = _tracks(data.get("tracks") or [], dataset, path)
    images = _images(data, dataset, path)
    for number, annotation in enumerate(data["annotations"]):
        record = f"annotation {annotation.get('id', number) if isinstance(annotation, dict) else number}"
        dataset.add_instance(_annotation(annotation, images, categories, tracks, dataset, path, record), record)
    return dataset


def _categories(categories: list, dataset: Dataset, path: Path) -> dict:
    found: dict = {}
    seen: dict = {}
    if not isinstance(categories, list):
        raise MalformedFileError(path, "'categories' must be a list", "categories")
    for number, category in enumerate(categories):
        record = f"category {number}"
        if not isinstance(category, dict) or "id" not in category or "name" not in category:
            raise MalformedFileError(path, "a category needs an 'id' and a 'name'", record)
        unique(seen, plain_id(category["id"], path, record, "a category id"), path, record, "category id")
        class_id = dataset.label_class(str(category["name"]), category.get("color"))
        skeleton_id = None
        nodes = category.get("keypoints") or []
        if not isinstance(nodes, list):
            raise MalformedFileError(path, "a category's 'keypoints' is a list of node names", record)
        if nodes:
            try:
                pairs = [(a - 1, b - 1) for a, b in category.get("skeleton") or []]
                symmetries = [(a - 1, b - 1) for a, b in category.get("symmetries") or []]
                skeleton = Skeleton(str(category.get("skeleton_name", category["name"])), tuple(map(str, nodes)), pairs, symmetries)
            except (TypeError, ValueError) as error:
                raise MalformedFileError(path, f"its skeleton is not valid ({error})", record) from None
            skeleton_id = dataset.add_skeleton(skeleton)
        found[category["id"]] = (class_id, skeleton_id, len(nodes))
    return found


def _tracks(tracks, dataset: Dataset, path: Path) -> dict:
    if not isinstance(tracks, list):
        raise MalformedFileError(path, "'tracks' must be a list", "tracks")
    found: dict = {}
    for number, track in enumerate(tracks):
        record = f"track {number}"
        if not isinstance(track, dict) or "id" not in track:
            raise MalformedFileError(path, "a track needs an 'id'", record)
        unique(found, plain_id(track["id"], path, record, "a track id"), path, record, "track id")
        found[track["id"]] = dataset.track(str(track.get("name", track["id"])))
    return found


def _images(data: dict, dataset: Dataset, path: Path) -> dict:
    root = path.parent.parent if path.parent.name == "annotations" else path.parent
    index = ImageIndex(dataset, root)
    videos = {}
    if not isinstance(data.get("videos") or [], list):
        raise MalformedFileError(path, "'videos' must be a list", "videos")
    for number, video in enumerate(data.get("videos") or []):
        if not isinstance(video, dict):
            raise MalformedFileError(path, "a video is an object", f"video {number}")
        where = Path(str(video.get("path", video.get("file_name", ""))))
        if where.name and where.exists():
            video_id = plain_id(video.get("id"), path, f"video {number}", "a video id")
            videos[video_id] = dataset.video_for_path(where.resolve(), name=str(video.get("name") or where.name))
    images: dict = {}
    seen: dict = {}
    for number, image in enumerate(data["images"]):
        record = f"image {number}"
        if not isinstance(image, dict) or "id" not in image:
            raise MalformedFileError(path, "an image needs an 'id'", record)
        unique(seen, plain_id(image["id"], path, record, "an image id"), path, record, "image id")
        if isinstance(image.get("video_id"), (int, str)) and image["video_id"] in videos and isinstance(image.get("frame_index"), int):
            images[image["id"]] = (videos[image["video_id"]], image["frame_index"])
        elif "file_name" in image:
            images[image["id"]] = index.locate(str(image["file_name"]), path, record, [root / "images"])
        else:
            raise MalformedFileError(path, "an image needs a 'file_name'", record)
    return images


def _annotation(annotation, images, categories, tracks, dataset: Dataset, path: Path, record: str) -> Instance:
    if not isinstance(annotation, dict):
        raise MalformedFileError(path, "an annotation is an object", record)
    if plain_id(annotation.get("image_id"), path, record, "image_id") not in images:
        raise MalformedFileError(path, f"image_id {annotation.get('image_id')!r} is not among the images", record)
    if plain_id(annotation.get("category_id"), path, record, "category_id") not in categories:
        raise MalformedFileError(path, f"category_id {annotation.get('category_id')!r} is not among the categories", record)
    video_id, frame_index = images[annotation["image_id"]]
    class_id, skeleton_id, n_nodes = categories[annotation["category_id"]]
    try:
        box = None
        bbox = annotation.get("bbox")
        if bbox and not annotation.get("bbox_derived"):
            x, y, w, h = (float(v) for v in bbox)
            box = Box(x, y, x + w, y + h)
        polygons, mask = _segmentation(annotation.get("segmentation"), path, record)
        keypoints = None
        if annotation.get("keypoints") is not None and not isinstance(annotation["keypoints"], list):
            raise TypeError("'keypoints' must be a list of numbers")
        if annotation.get("keypoints"):
            values = np.asarray(annotation["keypoints"], dtype=np.float64)
            if (np.abs(np.nan_to_num(values)) > MAX_COORD).any():
                raise ValueError("a keypoint value lies further from the frame than any pixel")
            values = values.astype(np.float32)
            if len(values) != 3 * n_nodes:
                raise ValueError(f"{len(values)} keypoint values, but its category has {n_nodes} keypoints ({3 * n_nodes} values expected)")
            keypoints = values.reshape(-1, 3)
            keypoints[keypoints[:, 2] == 0] = 0
            if not np.isin(keypoints[:, 2], (0, 1, 2)).all():
                raise ValueError("keypoint visibility must be 0, 1 or 2")
        scores = annotation.get("keypoint_scores")
        if scores is not None:
            if not isinstance(scores, list):
                raise TypeError("'keypoint_scores' must be a list of numbers")
            scores = np.asarray(scores, dtype=np.float64)
            if (np.abs(np.nan_to_num(scores)) > MAX_COORD).any():
                raise ValueError("a keypoint score is not a score (too large)")
            scores = scores.astype(np.float32)
        score = finite_number(annotation["score"], path, record, "its score") if "score" in annotation else None
    except MalformedFileError:
        raise
    except (TypeError, ValueError, OverflowError) as error:
        raise MalformedFileError(path, _words(error), record) from None
    track = annotation.get("track_id")
    if track is not None and plain_id(track, path, record, "track_id") not in tracks:
        tracks[track] = dataset.track(str(track))
    predicted = annotation.get("source", "predicted" if "score" in annotation else "user") == "predicted"
    return Instance(
        video_id, frame_index, class_id, tracks.get(track), skeleton_id if keypoints is not None else None,
        box, polygons, mask, keypoints, scores, "predicted" if predicted else "user", score,
    )  # fmt: skip


def _words(error: Exception) -> str:
    text = str(error)
    return text if len(text) <= 120 else text[:117] + "..."


def _segmentation(segmentation, path: Path, record: str) -> tuple[tuple, Rle | None]:
    if not segmentation:
        return (), None
    if isinstance(segmentation, list):
        polygons = []
        for polygon in segmentation:
            if len(polygon) < 6 or len(polygon) % 2:
                raise ValueError(f"a polygon needs an even number of at least 6 values, found {len(polygon)}")
            polygons.append(np.asarray(polygon, dtype=np.float64).reshape(-1, 2))
        return tuple(polygons), None
    if isinstance(segmentation, dict) and "size" in segmentation and "counts" in segmentation:
        height, width = check_rle_size(segmentation["size"], path, record)
        counts = segmentation["counts"]
        if isinstance(counts, list):  # uncompressed RLE: run lengths that must cover the mask exactly
            if not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts) or sum(counts) != height * width:
                raise ValueError(f"an uncompressed RLE's counts must be whole numbers summing to {height}x{width}")
            counts = coco_mask.frPyObjects({"size": [height, width], "counts": counts}, height, width)["counts"].decode("ascii")
        elif not isinstance(counts, str):
            raise ValueError("an RLE's counts is a string or a list of run lengths")
        mask = Rle(height, width, counts)
        check_rle(mask, path, record, None)
        return (), mask
    raise ValueError("a segmentation is a list of polygons or an RLE object with 'size' and 'counts'")


def write_coco(dataset: Dataset, out: str | Path, images: bool = True, progress=None) -> list[Path]:
    """Write `annotations.json` (and the labelled frames under `images/`) into folder `out`, or
    the JSON to `out` itself when it ends in `.json`."""
    out = Path(out)
    json_path = out if out.suffix == ".json" else out / "annotations.json"
    folder = json_path.parent
    names = frame_names(dataset)
    videos = dataset.by_id("videos")
    image_ids = {key: n + 1 for n, key in enumerate(names)}
    categories, category_of = _write_categories(dataset)
    annotations = []
    for n, instance in enumerate(dataset.instances):
        if instance.class_id is None and instance.skeleton_id is None:
            continue
        annotations.append(_write_annotation(n + 1, instance, image_ids, category_of))
    document = {
        "info": {"description": "exported by Ethoframe"},
        "videos": [{"id": v.id, "path": v.path, "name": v.display_name, "frame_count": v.frame_count, "fps": v.fps,
                    "width": v.width, "height": v.height} for v in dataset.videos],
        "images": [{"id": image_ids[key], "file_name": f"images/{name}", "width": videos[key[0]].width,
                    "height": videos[key[0]].height, "video_id": key[0], "frame_index": key[1]} for key, name in names.items()],
        "annotations": annotations,
        "categories": categories,
        "tracks": [{"id": t.id, "name": t.name, "color": t.color} for t in dataset.tracks],
    }  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    if images:
        write_frames(dataset, names, folder / "images", progress)
    json_path.write_text(finite_json(document, json_path), encoding="utf-8")
    return [json_path] + ([folder / "images"] if images else [])


def _write_categories(dataset: Dataset) -> tuple[list[dict], dict]:
    """One category per (class, skeleton) pair in use; an instance without a class is named by
    its skeleton."""
    classes, skeletons = dataset.by_id("label_classes"), dataset.by_id("skeletons")
    pairs = sorted({(i.class_id, i.skeleton_id) for i in dataset.instances if i.class_id is not None or i.skeleton_id is not None},
                   key=lambda p: (p[0] or 0, p[1] or 0))  # fmt: skip
    categories, category_of = [], {}
    for n, (class_id, skeleton_id) in enumerate(pairs):
        skeleton = skeletons.get(skeleton_id)
        label = classes.get(class_id)
        category = {"id": n + 1, "name": label.name if label else skeleton.name, "supercategory": "animal"}
        if label:
            category["color"] = label.color
        if skeleton:
            category.update(keypoints=list(skeleton.nodes), skeleton=[[a + 1, b + 1] for a, b in skeleton.edges],
                            symmetries=[[a + 1, b + 1] for a, b in skeleton.symmetries], skeleton_name=skeleton.name)  # fmt: skip
        categories.append(category)
        category_of[(class_id, skeleton_id)] = n + 1
    return categories, category_of


def _write_annotation(annotation_id: int, instance: Instance, image_ids: dict, category_of: dict) -> dict:
    annotation: dict = {"id": annotation_id, "image_id": image_ids[(instance.video_id, instance.frame_index)],
                        "category_id": category_of[(instance.class_id, instance.skeleton_id)], "iscrowd": 0}  # fmt: skip
    box = instance.box.normalized() if instance.box else None
    if instance.polygons:
        annotation["segmentation"] = [p.ravel().tolist() for p in instance.polygons]
    elif instance.mask is not None:
        annotation["segmentation"] = {"size": [instance.mask.height, instance.mask.width], "counts": instance.mask.counts}
    area = instance.mask.area if instance.mask is not None else (box.area if box else 0.0)
    if box is None:  # COCO tools need a box: derive one, and say so, so a re-import does not invent it
        box = _derived_box(instance)
        annotation["bbox_derived"] = True
    if box is not None:
        annotation["bbox"] = [box.x1, box.y1, box.width, box.height]
    annotation["area"] = float(area or (box.area if box else 0.0))
    if instance.keypoints is not None:
        keypoints = instance.keypoints.copy()
        keypoints[keypoints[:, 2] == 0] = 0
        annotation["keypoints"] = [float(v) if i % 3 < 2 else int(v) for i, v in enumerate(keypoints.ravel())]
        annotation["num_keypoints"] = int((keypoints[:, 2] > 0).sum())
    if instance.track_id is not None:
        annotation["track_id"] = instance.track_id
    if instance.source == "predicted":
        annotation["score"] = float(instance.score if instance.score is not None else 1.0)
        if instance.keypoint_scores is not None:
            annotation["keypoint_scores"] = [float(s) for s in instance.keypoint_scores]
    annotation["source"] = instance.source
    return annotation


def _derived_box(instance: Instance) -> Box | None:
    if instance.mask is not None:
        return instance.mask.bounding_box()
    points = [p for p in instance.polygons]
    if instance.keypoints is not None:
        points.append(instance.keypoints[instance.keypoints[:, 2] > 0, :2])
    points = [p for p in points if len(p)]
    if not points:
        return None
    stacked = np.concatenate(points)
    return Box(*(float(v) for v in (*stacked.min(axis=0), *stacked.max(axis=0))))
