"""The demo project a new user opens first: a rendered arena video of mice, its skeleton and
ethogram, a few dozen frames labelled from the ground truth (so Train works at once) and the
first part of the video behaviour-coded. The full ground truth is saved apart, as a file,
never as labels, so models can be evaluated against it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.demo import BEHAVIOURS, SKELETON, GroundTruth, WorldConfig, render_world
from core.domain import (
    Behaviour,
    BehaviourEvent,
    Box,
    Instance,
    LabelClass,
    Rle,
    Skeleton,
    Suggestion,
    Track,
)
from core.domain.palette import colour_for
from core.project import DATABASE_NAME, Project, ProjectExistsError
from core.workflows.videos import add_videos, relink_video

VIDEO_NAME = "demo_arena.mp4"
TRUTH_NAME = "demo_arena_truth.npz"


def truth_path(project: Project) -> Path:
    """Where a demo project keeps its full ground truth (`GroundTruth.load` reads it)."""
    return project.folder / "ground_truth" / TRUTH_NAME


def create_demo_project(
    folder: str | Path,
    config: WorldConfig = WorldConfig(),
    labeled_frames: int = 40,
    coded_fraction: float = 1 / 3,
    progress: Callable[[int, int], None] | None = None,
) -> Project:
    """Render the world and build the project in `folder`; returns it open.

    `labeled_frames` frames, spread evenly, carry every visible animal's box, mask, keypoints
    and identity; behaviour events are coded over the first `coded_fraction` of the video.
    The project is built in a hidden folder beside `folder` and renamed into place when
    complete, so a demo stopped half-way (even by SIGKILL) leaves no half-made project that
    the next `ethoframe demo` would take for a finished one.
    """
    folder = Path(folder).expanduser().resolve()
    if (folder / DATABASE_NAME).exists():
        raise ProjectExistsError(f"{folder} already holds a project; open it instead")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ProjectExistsError(f"{folder} is not empty: make the demo in a new or empty folder")
    folder.parent.mkdir(parents=True, exist_ok=True)
    for leftover in folder.parent.glob(f".{folder.name}.building-*"):  # from demos stopped half-way
        shutil.rmtree(leftover, ignore_errors=True)
    building = folder.parent / f".{folder.name}.building-{os.getpid()}"
    try:
        project = Project.create(building, name="demo")
        try:
            (building / "videos").mkdir(exist_ok=True)
            (building / "ground_truth").mkdir(exist_ok=True)
            video_path = building / "videos" / VIDEO_NAME
            truth = render_world(config, video_path, progress=progress)
            truth.save(truth_path(project))
            (video,) = add_videos(project, [video_path])
            with project.transaction():
                _label(project, video.id, truth, labeled_frames, coded_fraction)
        finally:
            project.close()
        if folder.exists():
            folder.rmdir()  # empty, checked above
        building.rename(folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    project = Project.open(folder)
    relink_video(project, video.id, folder / "videos" / VIDEO_NAME)  # its path named the building folder
    return project


def is_unfinished_demo(project: Project) -> bool:
    """A demo project that an older Ethoframe, stopped half-way, left without its video."""
    return project.name == "demo" and not project.videos.all() and project.instances.count() == 0


def _label(project: Project, video_id: int, truth: GroundTruth, labeled_frames: int, coded_fraction: float) -> None:
    mouse = project.label_classes.add(LabelClass("mouse", "#ffe119"))
    skeleton = project.skeletons.add(
        Skeleton.from_names("mouse", list(SKELETON.nodes), list(SKELETON.edges), list(SKELETON.symmetries))
    )
    tracks = {
        track_id: project.tracks.add(Track(f"mouse {track_id + 1} ({name})", colour_for(track_id)))
        for track_id, name in enumerate(truth.identities)
    }
    behaviours = {name: project.behaviours.add(Behaviour(name, key, color, kind)) for name, key, color, kind in BEHAVIOURS}

    frames = np.linspace(0, truth.n_frames - 1, num=min(labeled_frames, truth.n_frames)).round().astype(int)
    instances = [
        Instance(
            video_id, int(index), class_id=mouse.id, track_id=tracks[animal.track_id].id, skeleton_id=skeleton.id,
            box=Box(*map(float, animal.box)), mask=Rle.from_array(truth.mask(int(index), animal.track_id)),
            keypoints=animal.keypoints,
        )
        for index in frames
        for animal in truth.frame(int(index))
    ]  # fmt: skip
    project.instances.add_many(instances)

    coded_until = int(truth.n_frames * coded_fraction)
    events = [
        BehaviourEvent(video_id, behaviours[name].id, start, min(end, coded_until - 1), tracks[track_id].id)
        for track_id in truth.track_ids
        for name, start, end in truth.behaviour_bouts(track_id)
        if start < coded_until
    ]
    project.events.add_many(events)
    project.suggestions.replace(
        video_id, "uniform", [Suggestion(video_id, int(i), "uniform") for i in np.linspace(0, truth.n_frames - 1, 20).round()]
    )


def add_tracked_truth_poses(project: Project, truth: GroundTruth, noise_px: float = 2.0, seed: int = 0) -> int:
    """Store the ground-truth keypoints of every unlabelled frame, with `noise_px` of Gaussian
    noise, as predicted and tracked instances: a stand-in for running a pose model and the
    tracker over the whole video (benchmarks and tests of what comes after them, such as
    behaviour classification). Returns how many instances were added."""
    rng = np.random.default_rng(seed)
    video_id = project.videos.all()[0].id
    tracks = sorted(t.id for t in project.tracks.all())
    skeleton = project.skeletons.find("mouse")
    labelled = {f for _, f in project.instances.labeled_frames(video_id)}
    instances = []
    for frame in range(truth.n_frames):
        if frame in labelled:
            continue
        for k in truth.track_ids:
            if truth.areas[frame, k] == 0:
                continue
            points = truth.keypoints[frame, k].copy()
            points[:, :2] += rng.normal(0, noise_px, (len(points), 2))
            seen = points[points[:, 2] > 0, :2]
            if not len(seen):
                continue
            (x1, y1), (x2, y2) = seen.min(0), seen.max(0)
            instances.append(Instance(video_id, frame, track_id=tracks[k], skeleton_id=skeleton.id if skeleton else None,
                                      box=Box(float(x1), float(y1), float(x2), float(y2)), keypoints=points,
                                      source="predicted", score=0.9))  # fmt: skip
    project.instances.add_many(instances)
    return len(instances)
