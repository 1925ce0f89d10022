"""Neurodata Without Borders (`.nwb`) pose trajectories, through `pynwb` and `ndx-pose` (export only).

Layout (ndx-pose 0.2+, as its documentation and DANDI archives use it): a `behavior`
processing module holding a `Skeletons` container (nodes and edges of every skeleton used) and
one `PoseEstimation` per video and track (named after the track; `<video>_<track>` when the
project has poses in several videos; untracked poses become `untracked`, `untracked_2`... by
their order on a frame). Each holds one `PoseEstimationSeries` per node: `data` `(n, 2)` x, y
in pixels (NaN where the node is not labelled), `confidence` `(n,)` (the point score of a
prediction, 1.0 for a user label), and `timestamps` in seconds of the frames where that track
is present, so gaps in a track stay gaps. Timestamps are the video's own frame timestamps when
its file is here (variable frame rates stay exact), else frame / fps. Where a frame holds both
a label and a prediction of one track, the label wins.

Why pynwb + ndx-pose directly, not `sleap_io.save_nwb`: sleap-io 0.9's writer turns a frame
rate into an integer (29.97 fps becomes 29) and, given only a rate, multiplies frame numbers by
it instead of dividing; both packages are dependencies of sleap-io, so nothing new is installed.
The file is written to a temporary name and moved into place: a failure leaves nothing.
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.domain import Video
from core.interchange.dataset import Dataset
from core.interchange.errors import InterchangeError, MissingDependencyError

FrameTimes = Callable[[np.ndarray], np.ndarray]  # frame indices -> seconds
REFERENCE_FRAME = "(0, 0) is the centre of the top-left pixel of the video frame; x to the right, y down, in pixels"


def _libraries():
    try:
        import ndx_pose
        import pynwb
    except ImportError:
        raise MissingDependencyError("writing NWB files needs pynwb and ndx-pose: pip install pynwb ndx-pose") from None
    return pynwb, ndx_pose


def video_frame_times(video: Video) -> FrameTimes:
    """Seconds of frames of `video`: its file's own timestamps when it can be read, else frame / fps.
    Raises InterchangeError when neither is known."""
    from core.video import PyAVReader, VideoError, open_video

    seconds = None
    if Path(video.path).is_file():
        try:
            with open_video(video.path, cache_mb=16) as reader:
                index = getattr(reader, "index", None) if isinstance(reader, PyAVReader) else None
                if index is not None and index.timed and index.frame_count:
                    seconds = (index.pts - index.pts[0]).astype(np.float64) * float(index.time_base)
        except VideoError:
            seconds = None
    if seconds is not None:
        def from_file(frames: np.ndarray) -> np.ndarray:
            if len(frames) and frames.max() >= len(seconds):
                raise InterchangeError(f"{video.display_name}: frame {int(frames.max())} has no timestamp (the video has {len(seconds)} frames)")
            return seconds[frames]

        return from_file
    if video.fps and video.fps > 0:
        return lambda frames: frames.astype(np.float64) / float(video.fps)
    raise InterchangeError(
        f"{video.display_name} has no frame rate and no readable file to take frame timestamps from: "
        "an NWB file needs the time of every frame; relink the video first"
    )


def write_nwb(dataset: Dataset, out: str | Path, frame_times: dict[int, FrameTimes] | None = None,
              description: str = "Poses labelled or predicted in Ethoframe") -> list[Path]:  # fmt: skip
    """Write the dataset's poses to the NWB file `out` (or `poses.nwb` in the folder `out`).
    `frame_times[video id]` gives a video's timestamps (default: `video_frame_times`)."""
    pynwb, ndx_pose = _libraries()
    out = Path(out)
    if out.is_dir() or not out.suffix:
        out = out / "poses.nwb"
    posed = [i for i in dataset.instances if i.keypoints is not None and i.skeleton_id is not None]
    if not posed:
        raise InterchangeError("nothing to write: an NWB pose file holds poses, and there are none to export")
    videos, skeletons, tracks = dataset.by_id("videos"), dataset.by_id("skeletons"), {t.id: t.name for t in dataset.tracks}
    video_ids = sorted({i.video_id for i in posed})
    times = {v: (frame_times or {}).get(v) or video_frame_times(videos[v]) for v in video_ids}  # every check before writing
    series = _series(posed, tracks)
    stamps = {key: times[key[0]](np.array(sorted(frames), dtype=np.int64)) for key, frames in series.items()}

    nwbfile = pynwb.NWBFile(
        session_description=description, identifier=str(uuid.uuid4()),
        session_start_time=datetime.datetime.now(datetime.timezone.utc),
    )  # fmt: skip
    module = nwbfile.create_processing_module(name="behavior", description="Poses from Ethoframe")
    used = sorted({i.skeleton_id for i in posed})
    nwb_skeletons = {s: ndx_pose.Skeleton(name=_name(skeletons[s].name), nodes=list(skeletons[s].nodes),
                                          edges=np.array(skeletons[s].edges, dtype="uint8").reshape(-1, 2))
                     for s in used}  # fmt: skip
    module.add(ndx_pose.Skeletons(skeletons=list(nwb_skeletons.values())))
    sources = {v: _source_video(pynwb, nwbfile, videos[v], n) for n, v in enumerate(video_ids)}
    names: set[str] = set()
    for (video_id, track_name, skeleton_id), frames in sorted(series.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        video, skeleton = videos[video_id], skeletons[skeleton_id]
        order = sorted(frames)
        xy = np.full((len(order), len(skeleton.nodes), 2), np.nan)
        confidence = np.full((len(order), len(skeleton.nodes)), np.nan)
        for row, frame in enumerate(order):
            instance = frames[frame]
            labelled = instance.keypoints[:, 2] > 0
            xy[row, labelled] = instance.keypoints[labelled, :2]
            scores = instance.keypoint_scores if instance.source == "predicted" and instance.keypoint_scores is not None else None
            confidence[row, labelled] = scores[labelled] if scores is not None else (instance.score if instance.source == "predicted" and instance.score is not None else 1.0)
        timestamps = stamps[(video_id, track_name, skeleton_id)]
        node_series, first = [], None
        for n, node in enumerate(skeleton.nodes):
            made = ndx_pose.PoseEstimationSeries(
                name=_name(node), description=f"{node} of {track_name} in {video.display_name}", data=xy[:, n],
                unit="pixels", reference_frame=REFERENCE_FRAME, confidence=confidence[:, n],
                confidence_definition="a prediction's point score; 1.0 for a label made by a person",
                timestamps=first if first is not None else timestamps,
            )  # fmt: skip
            if first is None:  # the other nodes share the first one's timestamps
                first = made
            node_series.append(made)
        name = _unique(_name(track_name if len(video_ids) == 1 else f"{Path(video.display_name).stem}_{track_name}"), names)
        module.add(ndx_pose.PoseEstimation(
            name=name, pose_estimation_series=node_series, skeleton=nwb_skeletons[skeleton_id],
            description=f"{track_name} in {video.display_name}", source_video=sources[video_id],
            source_software="Ethoframe", scorer=_scorer(frames.values()),
        ))  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial{out.suffix}")
    try:
        with pynwb.NWBHDF5IO(str(partial), "w") as io:
            io.write(nwbfile)
        os.replace(partial, out)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    except Exception as error:  # hdmf validates on write and raises many kinds
        partial.unlink(missing_ok=True)
        raise InterchangeError(f"cannot write {out}: {type(error).__name__}: {error}") from None
    return [out]


def _source_video(pynwb, nwbfile, video: Video, number: int):
    """The video as an external-file `ImageSeries` in `acquisition`, which each `PoseEstimation` links."""
    from pynwb.image import ImageSeries

    timing = {"rate": float(video.fps), "num_samples": int(video.frame_count)} if video.fps and video.fps > 0 else {"timestamps": video_frame_times(video)(np.arange(max(video.frame_count, 1)))}
    series = ImageSeries(
        name=_unique(_name(f"video_{Path(video.display_name).stem}"), set(nwbfile.acquisition)), description=video.display_name,
        unit="n.a.", format="external", external_file=[video.path], starting_frame=[0],
        dimension=[int(video.width), int(video.height)], **timing,
    )  # fmt: skip
    nwbfile.add_acquisition(series)
    return series


def _series(posed, tracks: dict[int, str]) -> dict[tuple[int, str, int], dict[int, object]]:
    """`{(video id, track name, skeleton id): {frame: instance}}`, a label winning over a
    prediction of the same track on the same frame; untracked poses slotted by their order."""
    series: dict[tuple[int, str, int], dict[int, object]] = {}
    slots: dict[tuple[int, int], int] = {}
    for instance in sorted(posed, key=lambda i: (i.video_id, i.frame_index, i.source != "user")):
        if instance.track_id is not None and instance.track_id in tracks:
            track = tracks[instance.track_id]
        else:
            slot = slots[(instance.video_id, instance.frame_index)] = slots.get((instance.video_id, instance.frame_index), 0) + 1
            track = "untracked" if slot == 1 else f"untracked_{slot}"
        frames = series.setdefault((instance.video_id, track, instance.skeleton_id), {})
        frames.setdefault(instance.frame_index, instance)  # the label came first
    return series


def _scorer(instances) -> str:
    sources = {i.source for i in instances}
    return "person and model" if len(sources) > 1 else ("model" if "predicted" in sources else "person")


def _name(text: str) -> str:
    """NWB object names may not hold a slash."""
    return str(text).replace("/", "_") or "unnamed"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate
