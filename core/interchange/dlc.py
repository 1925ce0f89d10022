"""DeepLabCut labelled data: `config.yaml` and `labeled-data/<video>/CollectedData_<scorer>.csv`,
single-animal (header rows scorer, bodyparts, coords) and multi-animal (scorer, individuals,
bodyparts, coords), with one image-path column or DeepLabCut 2.3's three index columns.

Reading: only the CSV. DeepLabCut's `.h5` copy is a pandas/PyTables file whose metadata is
pickled, and unpickling an imported file can run code: it is refused with a message saying to
import the CSV beside it. Images become image-folder videos (frame = place in the folder),
except that `imgNNN.png` under `labeled-data/<stem>/` maps to frame NNN of the video `<stem>`
named in config.yaml's `video_sets` when that video is on this machine.
Writing: a folder DeepLabCut trains on: config.yaml, labeled-data/<video>/img<frame>.png, and
CollectedData_<scorer>.csv (plus the .h5 DeepLabCut reads, when PyTables is installed; else run
`deeplabcut.convertcsv2h5(config)` once). DeepLabCut has no occluded state: any labelled
point reads back as visible.
"""

from __future__ import annotations

import csv
import datetime
import math
import re
from pathlib import Path

import numpy as np

from core.domain import Instance, Skeleton
from core.interchange.dataset import Dataset
from core.interchange.errors import InterchangeError, MalformedFileError
from core.interchange.images import ImageIndex, write_frames
from core.interchange.validation import MAX_COORD
from core.interchange.yaml_files import dump_yaml, load_yaml

_FRAME_NAME = re.compile(r"img(\d+)\.png$")


def find_files(path: Path) -> tuple[Path | None, list[Path]]:
    """(config.yaml or None, the CollectedData CSVs) of a project folder, a config or a CSV."""
    if path.is_file() and path.suffix == ".h5":
        raise InterchangeError(
            f"{path}: Ethoframe does not read DeepLabCut .h5 files (their pandas metadata is pickled, and "
            "unpickling an imported file can run code); import the CollectedData_*.csv beside it"
        )
    if path.is_file() and path.suffix == ".csv":
        config = next((p / "config.yaml" for p in path.parents[:3] if (p / "config.yaml").is_file()), None)
        return config, [path]
    folder = path.parent if path.is_file() else path
    config = folder / "config.yaml" if (folder / "config.yaml").is_file() else None
    csvs = sorted(folder.glob("CollectedData*.csv")) + sorted(folder.glob("labeled-data/*/CollectedData*.csv"))
    if not csvs and (sorted(folder.glob("labeled-data/*/CollectedData*.h5")) or sorted(folder.glob("CollectedData*.h5"))):
        raise InterchangeError(f"{folder}: only DeepLabCut .h5 files were found; Ethoframe reads the CollectedData_*.csv copies")
    return config, csvs


def read_dlc(path: str | Path) -> Dataset:
    config_path, csvs = find_files(Path(path))
    if not csvs:
        raise MalformedFileError(path, "no CollectedData*.csv found (in the folder or its labeled-data/<video>/ folders)")
    config = load_yaml(config_path) if config_path else {}
    root = (config_path.parent if config_path else csvs[0].parent).resolve()
    dataset = Dataset(source=Path(path))
    index = ImageIndex(dataset, root)
    video_sets = config.get("video_sets") or {}
    if not isinstance(video_sets, (dict, list)):
        raise MalformedFileError(config_path, "video_sets must map video paths to their crop settings", "video_sets")
    videos = {Path(str(v)).stem: Path(str(v)) for v in video_sets}
    skeleton_ids: dict[tuple[str, ...], int] = {}
    for csv_path in csvs:
        _read_csv(csv_path, config, dataset, index, videos, skeleton_ids)
    return dataset


def _read_csv(path: Path, config: dict, dataset: Dataset, index: ImageIndex, videos: dict, skeleton_ids: dict) -> None:
    rows = read_rows(path, ",")
    if len(rows) < 3 or not rows[0] or rows[0][0] != "scorer":
        raise MalformedFileError(path, "a DeepLabCut CSV starts with a 'scorer' header row", "line 1")
    multi = rows[1][:1] == ["individuals"]
    header = 4 if multi else 3
    names = ["scorer", "individuals", "bodyparts", "coords"] if multi else ["scorer", "bodyparts", "coords"]
    for n, name in enumerate(names):
        if len(rows) <= n or not rows[n] or rows[n][0] != name:
            raise MalformedFileError(path, f"header row {n + 1} must start with {name!r}", f"line {n + 1}")
    coords = rows[header - 1]
    width = next((i for i, v in enumerate(coords) if i and v in ("x", "y", "likelihood")), None)
    if width is None or any(len(r) != len(coords) for r in rows[:header]):
        raise MalformedFileError(path, "the header rows do not line up (coords x/y columns expected)", f"line {header}")
    individuals = rows[1][width:] if multi else ["" for _ in coords[width:]]
    bodyparts, kinds = rows[header - 2][width:], coords[width:]
    columns: dict[str, dict[str, dict[str, int]]] = {}
    for c, (who, part, kind) in enumerate(zip(individuals, bodyparts, kinds)):
        if kind not in ("x", "y", "likelihood"):
            raise MalformedFileError(path, f"coords must be x or y, found {kind!r}", f"line {header}, column {c + width + 1}")
        slot = columns.setdefault(who, {}).setdefault(part, {})
        if kind in slot:  # two columns of one bodypart: merging them would keep one silently
            raise MalformedFileError(path, f"bodypart {part!r}{f' of {who!r}' if who else ''} has two {kind} columns", f"line {header}, column {c + width + 1}")
        slot[kind] = c + width
    for who, parts in columns.items():
        if any(not {"x", "y"} <= set(k) for k in parts.values()):
            raise MalformedFileError(path, f"every bodypart needs an x and a y column ({who or 'header'})", f"line {header}")
    edges = config.get("skeleton") or []
    if not isinstance(edges, list) or not all(isinstance(e, list) and len(e) == 2 for e in edges):
        raise MalformedFileError(config_path_of(path), "skeleton must be a list of [bodypart, bodypart] pairs", "skeleton")
    edges = [tuple(map(str, e)) for e in edges]
    name = str(config.get("Task") or "dlc")
    for who, parts in columns.items():
        nodes = tuple(parts)
        if nodes not in skeleton_ids:
            is_unique = multi and who == "single"
            try:
                skeleton = Skeleton.from_names(f"{name}-unique" if is_unique else name, nodes,
                                               [e for e in edges if set(e) <= set(nodes)])  # fmt: skip
            except ValueError as error:
                raise MalformedFileError(path, str(error), f"line {header - 1}") from None
            skeleton_ids[nodes] = dataset.add_skeleton(skeleton)
    seen_frames: dict = {}
    for number, row in enumerate(rows[header:], start=header + 1):
        if not any(row):
            continue
        record = f"line {number}"
        if len(row) != len(coords):
            raise MalformedFileError(path, f"{len(row)} cells, the header has {len(coords)}", record)
        relative = "/".join(cell for cell in row[:width] if cell)
        video_id, frame = _locate(relative, path, record, dataset, index, videos)
        if (video_id, frame) in seen_frames:  # merging the two rows would keep one of them silently
            raise MalformedFileError(path, f"image {relative!r} is listed twice ({seen_frames[(video_id, frame)]} and {record})", record)
        seen_frames[(video_id, frame)] = record
        for who, parts in columns.items():
            keypoints = np.zeros((len(parts), 3), dtype=np.float32)
            for k, (part, at) in enumerate(parts.items()):
                x, y = row[at["x"]].strip(), row[at["y"]].strip()
                if x and y:
                    try:
                        point = (float(x), float(y))
                    except ValueError:
                        raise MalformedFileError(path, f"{part!r} is not a number ({x[:20]!r}, {y[:20]!r})", record) from None
                    if abs(point[0]) > MAX_COORD or abs(point[1]) > MAX_COORD:  # inf too; NaN compares False
                        raise MalformedFileError(path, f"{part!r} lies further from the frame than any pixel ({x[:20]!r}, {y[:20]!r})", record)
                    if not (math.isnan(point[0]) or math.isnan(point[1])):  # NaN, +nan, -nan: not labelled
                        keypoints[k] = (*point, 2)
            if keypoints[:, 2].any():
                track = dataset.track(who) if multi and who != "single" else None
                instance = Instance(video_id, frame, track_id=track, skeleton_id=skeleton_ids[tuple(parts)], keypoints=keypoints)
                dataset.add_instance(instance, f"{path.name}, {record}")


def read_rows(path: Path, delimiter: str) -> list[list[str]]:
    """The rows of a CSV/TSV file; a file that is not text, or not CSV, is refused in one line."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return list(csv.reader(handle, delimiter=delimiter))
    except UnicodeDecodeError:
        raise MalformedFileError(path, "not a text file (CSV expected)") from None
    except csv.Error as error:
        raise MalformedFileError(path, f"not a readable CSV file ({error})") from None


def config_path_of(csv_path: Path) -> Path:
    return next((p / "config.yaml" for p in csv_path.parents[:3] if (p / "config.yaml").is_file()), csv_path)


def _locate(relative: str, path: Path, record: str, dataset: Dataset, index: ImageIndex, videos: dict) -> tuple[int, int]:
    parts = Path(relative).parts
    match = _FRAME_NAME.search(relative)
    if match and len(parts) >= 2 and parts[-2] in videos and videos[parts[-2]].is_file():
        return dataset.video_for_path(videos[parts[-2]].resolve()), int(match.group(1))
    return index.locate(relative, path, record, [path.parent])


def write_dlc(dataset: Dataset, out: str | Path, scorer: str = "ethoframe", progress=None) -> list[Path]:
    """Write a DeepLabCut project folder into `out` (one skeleton; multi-animal when the
    instances have tracks)."""
    out = Path(out).resolve()
    posed = [i for i in dataset.instances if i.keypoints is not None and i.skeleton_id is not None]
    skeletons = {i.skeleton_id for i in posed}
    if len(skeletons) != 1:
        raise InterchangeError(f"a DeepLabCut project holds one skeleton; these labels have {len(skeletons)}")
    skeleton = dataset.by_id("skeletons")[skeletons.pop()]
    tracks = dataset.by_id("tracks")
    multi = any(i.track_id is not None for i in posed)
    individuals = sorted({tracks[i.track_id].name for i in posed if i.track_id is not None}) if multi else [""]
    videos = dataset.by_id("videos")
    frames: dict[tuple[int, int], dict[str, Instance]] = {}
    dropped = 0
    for instance in posed:
        who = tracks[instance.track_id].name if multi and instance.track_id is not None else ""
        slot = frames.setdefault((instance.video_id, instance.frame_index), {})
        if (multi and who == "") or who in slot:
            dropped += 1
        else:
            slot[who] = instance
    files = [out / "config.yaml"]
    by_video: dict[int, list[int]] = {}
    for video_id, frame in sorted(frames):
        by_video.setdefault(video_id, []).append(frame)
    stems = {}
    for video_id, frame_list in by_video.items():
        video = videos[video_id]
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(video.path).stem) or f"video{video_id}"
        stems[video_id] = stem if stem not in stems.values() else f"{stem}_{video_id}"
        digits = max(len(str(max(video.frame_count - 1, 1))), 1)
        names = {(video_id, f): f"img{f:0{digits}d}.png" for f in frame_list}
        folder = out / "labeled-data" / stems[video_id]
        write_frames(dataset, names, folder, progress)
        csv_path = folder / f"CollectedData_{scorer}.csv"
        _write_csv(csv_path, scorer, skeleton, individuals, multi, stems[video_id], names, frames)
        files += [csv_path] + _write_h5(csv_path, multi)
    config = {
        "Task": skeleton.name, "scorer": scorer, "date": datetime.date.today().strftime("%b%d"),
        "multianimalproject": multi, "identity": None, "project_path": str(out), "engine": "pytorch",
        "video_sets": {videos[v].path: {"crop": f"0, {videos[v].width}, 0, {videos[v].height}"} for v in by_video},
        "bodyparts": "MULTI!" if multi else list(skeleton.nodes),
        "start": 0, "stop": 1, "numframes2pick": 20,
        "skeleton": [[skeleton.nodes[a], skeleton.nodes[b]] for a, b in skeleton.edges],
        "skeleton_color": "black", "pcutoff": 0.6, "dotsize": 12, "alphavalue": 0.7, "colormap": "rainbow",
        "TrainingFraction": [0.95], "iteration": 0, "default_net_type": "resnet_50",
        "default_augmenter": "default", "snapshotindex": -1, "batch_size": 8,
        "cropping": False, "x1": 0, "x2": 640, "y1": 277, "y2": 624, "corner2move2": [50, 50], "move2corner": True,
    }  # fmt: skip
    if multi:
        config.update(individuals=individuals, uniquebodyparts=[], multianimalbodyparts=list(skeleton.nodes))
    dump_yaml(config, out / "config.yaml")
    (out / "videos").mkdir(exist_ok=True)
    if dropped:
        dataset.notes.append(f"{dropped} instances were left out: DeepLabCut keeps one per individual and frame")
    return files


def _write_csv(path: Path, scorer, skeleton: Skeleton, individuals, multi, stem, names, frames) -> None:
    header = [["scorer", "", ""], ["bodyparts", "", ""], ["coords", "", ""]]
    if multi:
        header.insert(1, ["individuals", "", ""])
    for who in individuals:
        for node in skeleton.nodes:
            for kind in ("x", "y"):
                header[0].append(scorer)
                if multi:
                    header[1].append(who)
                header[-2].append(node)
                header[-1].append(kind)
    rows = []
    for key, name in sorted(names.items()):
        row = ["labeled-data", stem, name]
        for who in individuals:
            instance = frames[key].get(who)
            for n in range(len(skeleton.nodes)):
                x, y, v = instance.keypoints[n] if instance is not None else (0, 0, 0)
                row += [repr(float(x)), repr(float(y))] if v > 0 else ["", ""]
        rows.append(row)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(header + rows)


def _write_h5(csv_path: Path, multi: bool) -> list[Path]:
    """The .h5 copy DeepLabCut trains from, when pandas can write it (PyTables installed)."""
    try:
        import pandas as pd
        import tables  # noqa: F401
    except ImportError:
        return []
    frame = pd.read_csv(csv_path, header=list(range(4 if multi else 3)), index_col=[0, 1, 2])
    h5 = csv_path.with_suffix(".h5")
    frame.to_hdf(h5, key="df_with_missing", mode="w")
    return [h5]
