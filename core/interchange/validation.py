"""The one check every import goes through before anything is written: the numbers a file
brings are finite and of sane size, shapes lie on their frame, masks decode to the frame's
size, score arrays match their keypoints, and ids are plain values that do not collide.

Readers use the small helpers (`plain_id`, `unique`, `finite_number`, `check_rle_size`)
while parsing, where they can still name the line or record; `validate_dataset` then checks
the whole `Dataset` against the frame sizes the import knows (`apply_dataset` calls it with
the probed videos, `read_file` with what the file says, for the preview). What is plainly
damage is refused with `MalformedFileError`; what a careful user would want kept is kept and
counted in the dataset's notes: a NaN keypoint (DeepLabCut's and SLEAP's way to say "not
labelled") becomes unlabelled, a box or polygon reaching past the frame edge is clamped to it,
and a zero-size box (COCO tools write some) is dropped, with its instance when it had nothing else.

Masks are checked by decoding COCO's compressed RLE string here, with numpy (the format is a
few lines of LEB128-like digits; about 20 us a mask): the run lengths must be non-negative and
sum to height x width. That is done before pycocotools touches the string, and no buffer is
ever sized by a number from the file that was not first bounded by `MAX_SIDE`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import replace
import numpy as np

from core.domain import Box, Rle
from core.interchange.dataset import Dataset
from core.interchange.errors import MalformedFileError

MAX_SIDE = 1 << 15  # pixels: a frame side larger than this is not a lab video (8K is 7680)
MAX_COORD = 1e6  # pixels: any coordinate further from the origin is damage, not data
MAX_FRAMES = 1 << 31  # frames in one video (a day at 25 000 fps)
MAX_FPS = 1e5


def plain_id(value, path, record: str, what: str = "id"):
    """`value` when it can be an id (an integer or a string), else one clear error."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, str)):
        raise MalformedFileError(path, f"{what} must be a number or a string, not {type(value).__name__} {_short(value)}", record)
    return value


def unique(seen: dict, value, path, record: str, what: str) -> None:
    """Record `value` as taken by `record`; a second use is refused (a collision mislabels)."""
    if value in seen:
        raise MalformedFileError(path, f"{what} {value!r} is used twice ({seen[value]} and {record})", record)
    seen[value] = record


def finite_number(value, path, record: str, what: str, low: float = -math.inf, high: float = math.inf) -> float:
    """`value` as a float that is finite and in [low, high], else one clear error."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, str)):
        raise MalformedFileError(path, f"{what} must be a number, not {type(value).__name__} {_short(value)}", record)
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise MalformedFileError(path, f"{what} must be a number, not {_short(value)}", record) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise MalformedFileError(path, f"{what} is {_short(value)}; expected a finite number from {low:g} to {high:g}", record)
    return number


def whole_number(value, path, record: str, what: str, low: int = 0, high: int = MAX_FRAMES) -> int:
    number = finite_number(value, path, record, what, low, high)
    if number != int(number):
        raise MalformedFileError(path, f"{what} must be a whole number, not {_short(value)}", record)
    return int(number)


def check_rle_size(size, path, record: str) -> tuple[int, int]:
    """An RLE's `size` as (height, width), both bounded, before anything is allocated by them."""
    if not isinstance(size, (list, tuple)) or len(size) != 2:
        raise MalformedFileError(path, f"an RLE mask's size is [height, width], not {_short(size)}", record)
    height, width = (whole_number(v, path, record, "an RLE mask's size", 1, MAX_SIDE) for v in size)
    return height, width


def rle_counts(counts: str) -> np.ndarray:
    """The run lengths of a COCO compressed RLE string: pycocotools' `rleFrString`, vectorised
    (each run is up to 7 characters of 5 bits, the 6th bit saying "more follows", the 5th bit of
    the last one the sign; from the fourth run on, a run is stored as its difference from the
    run two before)."""
    try:
        c = np.frombuffer(counts.encode("latin-1"), dtype=np.uint8).astype(np.int64) - 48
    except UnicodeEncodeError:
        raise ValueError("the RLE string holds a character RLE does not use") from None
    if c.size == 0:
        return c
    if (c < 0).any() or (c >= 64).any():
        raise ValueError("the RLE string holds a character RLE does not use")
    more = (c & 0x20) != 0
    if more[-1]:
        raise ValueError("the RLE string ends in the middle of a number")
    ends = np.flatnonzero(~more)
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts + 1
    if lengths.max() > 7:
        raise ValueError("the RLE string holds a run longer than any frame")
    shifts = 5 * (np.arange(c.size) - np.repeat(starts, lengths))
    values = np.add.reduceat((c & 0x1F) << shifts, starts)
    negative = (c[ends] & 0x10) != 0
    values[negative] -= np.left_shift(1, 5 * lengths[negative])
    runs = values.copy()
    runs[1::2] = np.cumsum(values[1::2])
    runs[2::2] = np.cumsum(values[2::2])
    return runs


def check_rle(mask: Rle, path, record: str, size: tuple[int, int] | None, decode: bool = True) -> None:
    """The mask is the frame's size (when known) and, with `decode`, its runs cover exactly its
    own height x width (readers that build a mask from a file's text decode it; the check of
    the whole dataset only compares sizes, so a big import does not decode every mask twice)."""
    if not (0 < mask.height <= MAX_SIDE and 0 < mask.width <= MAX_SIDE):
        raise MalformedFileError(path, f"a mask of {mask.width}x{mask.height} pixels is not a frame's size", record)
    if size is not None and (mask.width, mask.height) != size:
        raise MalformedFileError(path, f"a {mask.width}x{mask.height} mask on a {size[0]}x{size[1]} frame", record)
    if not decode:
        return
    try:
        runs = rle_counts(mask.counts)
    except ValueError as error:
        raise MalformedFileError(path, f"its RLE mask cannot be decoded ({error})", record) from None
    if (runs < 0).any() or int(runs.sum()) != mask.height * mask.width:
        raise MalformedFileError(path, f"its RLE mask does not cover its {mask.width}x{mask.height} pixels exactly", record)


def validate_dataset(dataset: Dataset, sizes: dict[int, tuple[int, int]] | None = None) -> Dataset:
    """`dataset` with every instance checked (and clamped or cleaned where noted); `sizes` maps
    a local video id to its frame's (width, height) where known (default: the videos' own)."""
    where = dataset.source or "the imported data"
    for video in dataset.videos:
        record = f"video {video.display_name}"
        whole_number(video.frame_count, where, record, "a video's frame count")
        if video.fps:
            finite_number(video.fps, where, record, "a video's fps", 0.0, MAX_FPS)
        whole_number(video.width, where, record, "a video's width", 0, MAX_SIDE)
        whole_number(video.height, where, record, "a video's height", 0, MAX_SIDE)
    if sizes is None:
        sizes = {v.id: (v.width, v.height) for v in dataset.videos if v.width and v.height}
    counts = {"clamped": 0, "nan_keypoints": 0, "empty_boxes": 0, "empty_instances": 0}
    instances, origins = [], []
    named = list(dataset.origins) + [None] * (len(dataset.instances) - len(dataset.origins))  # never drop an instance unnamed
    for number, (instance, origin) in enumerate(zip(dataset.instances, named)):
        record = origin or f"instance {number + 1}"
        whole_number(instance.frame_index, where, record, "its frame index")
        checked = _instance(instance, sizes.get(instance.video_id), where, record, counts)
        if instance.box is not None and checked.box is None and not (checked.polygons or checked.mask or checked.keypoints is not None):
            counts["empty_instances"] += 1  # a zero-size box was all it had: nothing to show or train on
            continue
        instances.append(checked)
        origins.append(origin)
    for number, event in enumerate(dataset.events):
        record = f"event {number + 1}"
        whole_number(event.start_frame, where, record, "an event's start frame")
        if event.end_frame is not None and whole_number(event.end_frame, where, record, "an event's end frame") < event.start_frame:
            raise MalformedFileError(where, f"ends (frame {event.end_frame}) before it starts (frame {event.start_frame})", record)
    notes = list(dataset.notes)
    if counts["clamped"]:
        notes.append(f"{counts['clamped']} boxes or polygons reached past the frame edge: clamped to the frame")
    if counts["nan_keypoints"]:
        notes.append(f"{counts['nan_keypoints']} keypoints had no finite position (NaN): imported as unlabelled")
    if counts["empty_boxes"]:
        dropped = counts["empty_instances"]
        notes.append(f"{counts['empty_boxes']} boxes had no area: left out" + (f" ({dropped} instances had nothing else and were left out too)" if dropped else ""))
    return replace(dataset, instances=instances, origins=origins, notes=notes)


def _instance(instance, size, where, record: str, counts: dict):
    changes: dict = {}
    if instance.score is not None:
        finite_number(instance.score, where, record, "its score")
    if instance.box is not None:
        box = _box(instance.box, size, where, record, counts)
        if box is not instance.box:
            changes["box"] = box
    if instance.polygons:
        polygons = tuple(_polygon(p, size, where, record, counts) for p in instance.polygons)
        if any(a is not b for a, b in zip(polygons, instance.polygons)):
            changes["polygons"] = polygons
    if instance.mask is not None:
        check_rle(instance.mask, where, record, size, decode=False)
    if instance.keypoints is not None:
        keypoints = _keypoints(instance.keypoints, where, record, counts)
        if keypoints is not instance.keypoints:
            changes["keypoints"] = keypoints
    if instance.keypoint_scores is not None:
        changes["keypoint_scores"] = _scores(instance, where, record)
    return replace(instance, **changes) if changes else instance


def _box(box: Box, size, where, record: str, counts: dict) -> Box | None:
    values = box.as_tuple()
    if not all(math.isfinite(v) and abs(v) <= MAX_COORD for v in values):
        raise MalformedFileError(where, f"its box {_short(values)} has a coordinate that is not a finite pixel position", record)
    normal = box.normalized()
    if normal.width <= 0 or normal.height <= 0:
        counts["empty_boxes"] += 1
        return None
    if size is None:
        return box
    width, height = size
    clamped = Box(min(max(normal.x1, 0.0), width), min(max(normal.y1, 0.0), height),
                  min(max(normal.x2, 0.0), width), min(max(normal.y2, 0.0), height))  # fmt: skip
    if clamped.width <= 0 or clamped.height <= 0:
        raise MalformedFileError(where, f"its box {_short(values)} lies outside the {width}x{height} frame", record)
    if clamped != normal:
        counts["clamped"] += 1
        return clamped
    return box


def _polygon(polygon: np.ndarray, size, where, record: str, counts: dict) -> np.ndarray:
    if len(polygon) < 3:
        raise MalformedFileError(where, f"a polygon needs at least 3 vertices, found {len(polygon)}", record)
    if not np.isfinite(polygon).all() or np.abs(polygon).max() > MAX_COORD:
        raise MalformedFileError(where, "a polygon has a vertex that is not a finite pixel position", record)
    if size is None:
        return polygon
    clipped = np.clip(polygon, 0.0, np.array(size, dtype=np.float64))
    if np.ptp(clipped[:, 0]) <= 0 or np.ptp(clipped[:, 1]) <= 0:
        raise MalformedFileError(where, f"a polygon lies outside the {size[0]}x{size[1]} frame", record)
    if not np.array_equal(clipped, polygon):
        counts["clamped"] += 1
        return clipped
    return polygon


def _keypoints(keypoints: np.ndarray, where, record: str, counts: dict) -> np.ndarray:
    visibility = keypoints[:, 2]
    known_visibility = bool(((visibility == 0) | (visibility == 1) | (visibility == 2)).all())
    if known_visibility and np.abs(keypoints[:, :2]).max(initial=0.0) <= MAX_COORD:  # NaN fails this: the slow path
        return keypoints
    if not known_visibility:
        bad = visibility[~np.isin(visibility, (0, 1, 2))][0]
        raise MalformedFileError(where, f"a keypoint visibility is {bad:g}; visibility is 0, 1 or 2", record)
    xy = keypoints[:, :2]
    labelled = visibility > 0
    known = np.where(np.isnan(xy), 0.0, xy)[labelled]
    if np.isinf(known).any() or (np.abs(known) > MAX_COORD).any():
        raise MalformedFileError(where, "a keypoint has a coordinate that is not a finite pixel position", record)
    nan_labelled = labelled & np.isnan(xy).any(axis=1)
    dirty = ~labelled & ~np.isfinite(xy).all(axis=1)  # an unlabelled node's position means nothing
    if not nan_labelled.any() and not dirty.any():
        return keypoints
    cleaned = keypoints.copy()
    cleaned[nan_labelled | dirty] = 0
    counts["nan_keypoints"] += int(nan_labelled.sum())
    return cleaned


def _scores(instance, where, record: str) -> np.ndarray:
    scores = np.asarray(instance.keypoint_scores, dtype=np.float32)
    if instance.keypoints is None:
        raise MalformedFileError(where, "has keypoint scores but no keypoints", record)
    if scores.shape != (len(instance.keypoints),):
        raise MalformedFileError(where, f"has {scores.size} keypoint scores for {len(instance.keypoints)} keypoints", record)
    if np.isinf(scores).any():
        raise MalformedFileError(where, "a keypoint score is infinite", record)
    return np.nan_to_num(scores, nan=0.0)  # SLEAP's score of a node it did not find


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
