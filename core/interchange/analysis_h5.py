"""SLEAP's analysis HDF5 (`.h5`) of trajectories, for MATLAB and Python scripts (export only).

Written by `sleap_io.save_analysis_h5` (sleap-io is already our SLEAP reader and writer, and it
is the maintained implementation of this layout), in its default "matlab" preset, which is
SLEAP's own: read with h5py, `f["tracks"][:].T` is `(frames, nodes, 2, tracks)`,
`f["track_occupancy"][:]` is `(frames, tracks)`, `point_scores.T` `(frames, nodes, tracks)`,
`instance_scores.T` and `tracking_scores.T` `(frames, tracks)`; `node_names`, `track_names`,
`edge_names`, `edge_inds`, `video_path`. Missing points are NaN, a track's absent frames have
occupancy 0 (gaps stay gaps). Frames run from 0 to the end of the video. Ethoframe adds
`video_fps` (frames per second, 0 when unknown), which SLEAP's layout lacks.

One file holds one video and one skeleton: a project with poses in several videos is written
as one `<video>.analysis.h5` per video into a folder. Where a frame has both a label and a
prediction of one track, the label wins (SLEAP's rule). Each file is written to a temporary
name and moved into place, so a failure leaves no half-written file.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from core.interchange.dataset import Dataset
from core.interchange.errors import InterchangeError
from core.interchange.per_video_files import files_per_video
from core.interchange.slp import _sio, sleap_labels


def write_analysis_h5(dataset: Dataset, out: str | Path) -> list[Path]:
    """Write the dataset's poses to `out` (a `.h5` file, for one video) or into the folder
    `out` (one `<video name>.analysis.h5` per video); returns the files written."""
    sio = _sio()
    out = Path(out)
    posed = [i for i in dataset.instances if i.keypoints is not None and i.skeleton_id is not None]
    videos = dataset.by_id("videos")
    video_ids = sorted({i.video_id for i in posed})
    if not video_ids:
        raise InterchangeError("nothing to write: an analysis HDF5 file holds poses, and there are none to export")
    targets = files_per_video(out, video_ids, videos, ".analysis.h5", "an analysis HDF5 file holds one video; these poses are in "
                              "{n} ({names}): give a folder to write one file per video")  # fmt: skip
    plans = []
    for video_id in video_ids:
        instances = [i for i in posed if i.video_id == video_id]
        skeleton_ids = {i.skeleton_id for i in instances}
        if len(skeleton_ids) > 1:
            raise InterchangeError(f"an analysis HDF5 file holds one skeleton; {videos[video_id].display_name} has poses of {len(skeleton_ids)}")
        part = replace(
            dataset, instances=instances, origins=[None] * len(instances), suggestions=[], events=[], notes=[],
            videos=[videos[video_id]], skeletons=[s for s in dataset.skeletons if s.id in skeleton_ids],
            tracks=[t for t in dataset.tracks if t.id in {i.track_id for i in instances}],
        )  # fmt: skip
        plans.append((targets[video_id], part, videos[video_id]))
    untracked = sum(1 for i in posed if i.track_id is None)
    if untracked and any(i.track_id is not None for i in posed):
        dataset.notes.append(f"{untracked} poses without a track were left out: their video's other poses have tracks")
    written: list[Path] = []
    for target, part, video in plans:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_one(sio, part, target, video)
        written.append(target)
    return written


def _write_one(sio, part: Dataset, target: Path, video) -> None:
    import h5py  # a dependency of sleap-io

    labels, _ = sleap_labels(sio, part)
    partial = target.with_name(f".{target.stem}.partial{target.suffix}")
    try:
        sio.save_analysis_h5(labels, str(partial), labels_path=str(part.source or ""))
        with h5py.File(partial, "a") as handle:
            handle.create_dataset("video_fps", data=float(video.fps or 0.0))
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    except Exception as error:  # sleap-io and h5py raise many kinds
        partial.unlink(missing_ok=True)
        raise InterchangeError(f"cannot write {target}: {type(error).__name__}: {error}") from None
