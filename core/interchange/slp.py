"""SLEAP `.slp` files, read and written through the `sleap-io` library.

Videos, skeletons (nodes, edges, symmetries), tracks, user and predicted instances (with
instance and per-node scores) and suggestions. SLEAP has no "occluded" state: a point it marks
not visible but with a position is read as occluded (1), one without a position (NaN) as
unlabelled (0). SLEAP has no label classes, boxes or masks; exporting drops them (noted).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from core.domain import Instance, Skeleton, Suggestion
from core.interchange.dataset import Dataset
from core.interchange.errors import InterchangeError, MalformedFileError, MissingDependencyError
from core.interchange.validation import MAX_COORD, finite_number, whole_number


def _sio():
    try:
        import sleap_io
    except ImportError:
        raise MissingDependencyError("reading and writing SLEAP files needs the sleap-io package: pip install sleap-io") from None
    return sleap_io


def resolve_video_path(stored: str, slp_path: Path) -> Path:
    """The stored path when it exists, else the same file name next to the `.slp` file (files
    move between machines: SLEAP's own test data names its author's home folder)."""
    stored_path = Path(stored)
    candidates = [stored_path] if stored_path.is_absolute() else [slp_path.parent / stored_path, stored_path]
    candidates.append(slp_path.parent / stored_path.name)
    for candidate in candidates:
        if candidate.exists():
            return candidate.resolve()
    return (slp_path.parent / stored_path.name).resolve()


def read_slp(path: str | Path, frames: Iterable[int] | None = None) -> Dataset:
    """A `Dataset` of a `.slp` file; `frames` keeps only those frame indices (of every video)."""
    sio = _sio()
    path = Path(path)
    try:
        labels = sio.load_slp(str(path), open_videos=False)
    except Exception as error:  # h5py and sleap-io raise many kinds for a damaged file
        reason = " ".join(str(error).split())
        reason = reason if len(reason) <= 160 else reason[:157] + "..."
        raise MalformedFileError(path, f"not a readable SLEAP file ({type(error).__name__}: {reason})") from None
    wanted = None if frames is None else set(int(f) for f in frames)
    dataset = Dataset(source=path)
    videos = {}
    for video in labels.videos:
        filename = video.filename
        if isinstance(filename, list):  # an image sequence: the folder that holds the images
            if not filename:
                raise MalformedFileError(path, "a video with an empty image list", "videos")
            stored, folder = filename[0], True
        else:
            stored, folder = filename, False
        resolved = resolve_video_path(stored, path)
        videos[id(video)] = dataset.video_for_path(resolved.parent if folder else resolved)
    skeletons = {id(s): dataset.add_skeleton(_skeleton(s, path)) for s in labels.skeletons}
    tracks = {id(t): dataset.track(t.name or f"track {n + 1}") for n, t in enumerate(labels.tracks)}
    for number, frame in enumerate(labels.labeled_frames):
        if wanted is not None and frame.frame_idx not in wanted:
            continue
        if id(frame.video) not in videos:
            raise MalformedFileError(path, "a labeled frame refers to a video the file does not list", f"labeled frame {number}")
        for k, instance in enumerate(frame.instances):
            record = f"labeled frame {number} (frame {frame.frame_idx}), instance {k}"
            dataset.add_instance(_instance(instance, frame, videos, skeletons, tracks, path, record), record)
    for number, suggestion in enumerate(labels.suggestions):
        if id(suggestion.video) not in videos:
            raise MalformedFileError(path, "a suggestion refers to a video the file does not list", f"suggestion {number}")
        if wanted is None or suggestion.frame_idx in wanted:
            frame_index = whole_number(suggestion.frame_idx, path, f"suggestion {number}", "its frame index")
            dataset.suggestions.append(Suggestion(videos[id(suggestion.video)], frame_index, "manual"))
    return dataset


def _skeleton(skeleton, path: Path) -> Skeleton:
    try:
        return Skeleton(
            str(skeleton.name or "skeleton"),
            tuple(map(str, skeleton.node_names)),
            tuple(tuple(int(v) for v in e) for e in skeleton.edge_inds),
            tuple(tuple(int(v) for v in s) for s in skeleton.symmetry_inds),
        )
    except (TypeError, ValueError) as error:
        raise MalformedFileError(path, f"its skeleton is not valid ({error})", f"skeleton {skeleton.name!r}") from None


def _instance(instance, frame, videos, skeletons, tracks, path: Path, record: str) -> Instance:
    points = instance.points
    if id(instance.skeleton) not in skeletons:
        raise MalformedFileError(path, "an instance refers to a skeleton the file does not list", record)
    n_nodes = len(instance.skeleton.node_names)
    try:
        xy = np.asarray(points["xy"], dtype=np.float64).reshape(-1, 2)
        visible = np.asarray(points["visible"], dtype=bool).reshape(-1)
    except (KeyError, ValueError, TypeError) as error:
        raise MalformedFileError(path, f"its points cannot be read ({error})", record) from None
    if len(xy) != n_nodes or len(visible) != n_nodes:  # HDF5 keeps no checksum: check what can be checked
        raise MalformedFileError(path, f"has {len(xy)} points; its skeleton has {n_nodes} nodes", record)
    if (np.abs(np.nan_to_num(xy)) > MAX_COORD).any():
        raise MalformedFileError(path, "a point lies further from the frame than any pixel (a damaged file?)", record)
    labelled = np.isfinite(xy).all(axis=1)
    keypoints = np.zeros((len(xy), 3), dtype=np.float32)
    keypoints[labelled, :2] = xy[labelled]
    keypoints[:, 2] = np.where(labelled, np.where(visible, 2, 1), 0)
    predicted = type(instance).__name__ == "PredictedInstance"
    scores = None
    if predicted:
        scores = np.nan_to_num(np.asarray(points["score"], dtype=np.float32).reshape(-1), nan=0.0)
        if len(scores) != n_nodes:
            raise MalformedFileError(path, f"has {len(scores)} point scores; its skeleton has {n_nodes} nodes", record)
    if instance.track is not None and id(instance.track) not in tracks:
        raise MalformedFileError(path, "an instance refers to a track the file does not list", record)
    return Instance(
        video_id=videos[id(frame.video)],
        frame_index=whole_number(frame.frame_idx, path, record, "its frame index"),
        track_id=tracks.get(id(instance.track)) if instance.track is not None else None,
        skeleton_id=skeletons[id(instance.skeleton)],
        keypoints=keypoints,
        keypoint_scores=scores,
        source="predicted" if predicted else "user",
        score=finite_number(np.nan_to_num(instance.score, nan=0.0), path, record, "its score") if predicted else None,
    )


def write_slp(dataset: Dataset, out: str | Path) -> list[Path]:
    """Write a `.slp` file (videos are referenced, not embedded) to `out`, or `labels.slp` in
    the folder `out`; returns the files written."""
    sio = _sio()
    out = Path(out)
    if out.is_dir() or not out.suffix:
        out = out / "labels.slp"
    labels, skipped = sleap_labels(sio, dataset)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        sio.save_slp(labels, str(out), embed=False, verbose=False)
    except Exception as error:
        raise InterchangeError(f"cannot write {out}: {error}") from None
    if skipped:
        dataset.notes.append(f"{skipped} instances without keypoints were left out: SLEAP files hold poses only")
    return [out]


def sleap_labels(sio, dataset: Dataset):
    """`(sleap_io.Labels, number of instances left out)` of a dataset: its poses (instances
    without keypoints are left out), videos with their frame counts and rates, suggestions."""
    skeletons = {s.id: sio.Skeleton(nodes=list(s.nodes), edges=[list(e) for e in s.edges],
                                    symmetries=[list(p) for p in s.symmetries], name=s.name)
                 for s in dataset.skeletons}  # fmt: skip
    tracks = {t.id: sio.Track(name=t.name) for t in dataset.tracks}
    videos = {v.id: sio.Video(filename=v.path, open_backend=False, backend_metadata=_video_metadata(v)) for v in dataset.videos}
    frames: dict[tuple[int, int], list] = {}
    skipped = 0
    for instance in dataset.instances:
        if instance.keypoints is None or instance.skeleton_id is None:
            skipped += 1
            continue
        frames.setdefault((instance.video_id, instance.frame_index), []).append(_sleap_instance(sio, instance, skeletons, tracks))
    used_videos = {v for v, _ in frames} | {s.video_id for s in dataset.suggestions}
    labels = sio.Labels(
        labeled_frames=[sio.LabeledFrame(video=videos[v], frame_idx=f, instances=i) for (v, f), i in sorted(frames.items())],
        videos=[videos[v] for v in sorted(used_videos)],
        skeletons=list(skeletons.values()),
        tracks=list(tracks.values()),
        suggestions=[sio.SuggestionFrame(video=videos[s.video_id], frame_idx=s.frame_index) for s in dataset.suggestions],
    )
    return labels, skipped


def _video_metadata(video) -> dict:
    if video.frame_count and video.width and video.height:
        return {"shape": (int(video.frame_count), int(video.height), int(video.width), 3), "fps": float(video.fps or 0.0)}
    return {}


def _sleap_instance(sio, instance: Instance, skeletons, tracks):
    keypoints = instance.keypoints
    xy = keypoints[:, :2].astype(np.float64)
    xy[keypoints[:, 2] == 0] = np.nan
    skeleton = skeletons[instance.skeleton_id]
    track = tracks.get(instance.track_id)
    if instance.source == "predicted":
        scores = instance.keypoint_scores if instance.keypoint_scores is not None else np.ones(len(xy))
        made = sio.PredictedInstance.from_numpy(xy, skeleton, point_scores=np.asarray(scores, dtype=np.float64),
                                                score=float(instance.score or 0.0), track=track)  # fmt: skip
    else:
        made = sio.Instance.from_numpy(xy, skeleton, track=track)
    made.points["xy"] = xy
    made.points["visible"] = keypoints[:, 2] == 2
    return made


def import_slp(project, path: str | Path, frames: Iterable[int] | None = None, progress=None):
    """Import a `.slp` file, or only the frame indices `frames` of it, into `project` in one
    transaction (benchmarks import a slice of a large file this way)."""
    from core.interchange.apply import apply_dataset

    return apply_dataset(project, read_slp(path, frames), "slp", progress)
