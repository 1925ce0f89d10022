"""Shared pieces for the interchange tests: a small project holding every kind of annotation,
and a canonical snapshot of a project's contents that ignores ids."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from core.domain import Behaviour, BehaviourEvent, Box, Instance, LabelClass, Rle, Skeleton, Suggestion, Track
from core.project import Project
from core.workflows.videos import add_videos

DATA = Path(__file__).parents[3] / ".." / "shared" / "data"


@pytest.fixture
def data() -> Path:
    if not DATA.is_dir():
        pytest.skip("the shared third-party data (../shared/data) is not beside this checkout")
    return DATA.resolve()


def image_folder(folder: Path, count: int = 6, width: int = 64, height: int = 48) -> Path:
    folder.mkdir(parents=True)
    for i in range(count):
        cv2.imwrite(str(folder / f"frame{i}.png"), np.full((height, width, 3), i * 30, dtype=np.uint8))
    return folder


def keypoints(*rows) -> np.ndarray:
    return np.array(rows, dtype=np.float32)


def fill(project: Project, folder: Path, kinds: set[str] = frozenset({"box", "poly", "mask", "pose", "pred"})) -> None:
    """A video (image folder), classes, a skeleton, tracks, instances of `kinds`, an ethogram."""
    (video,) = add_videos(project, [image_folder(folder)])
    mouse = project.label_classes.add(LabelClass("mouse", "#ff0000"))
    rat = project.label_classes.add(LabelClass("rat", "#00ff00"))
    skeleton = project.skeletons.add(Skeleton.from_names("mouse", ["snout", "ear_l", "ear_r"], [("snout", "ear_l"), ("snout", "ear_r")], [("ear_l", "ear_r")]))
    alice, bob = project.tracks.add(Track("alice")), project.tracks.add(Track("bob"))
    items = []
    if "box" in kinds:
        items.append(Instance(video.id, 0, rat.id, bob.id, box=Box(30.5, 10, 50, 30.375)))
    if "poly" in kinds:
        items.append(Instance(video.id, 1, mouse.id, bob.id, box=Box(4, 4, 20, 20), polygons=(np.array([[4, 4], [20, 4], [20, 20], [4, 18]]),)))
    if "mask" in kinds:
        mask = np.zeros((48, 64), bool)
        mask[10:20, 30:45] = True
        items.append(Instance(video.id, 2, rat.id, None, box=Box(30, 10, 45, 20), mask=Rle.from_array(mask)))
    if "pose" in kinds:
        items.append(Instance(video.id, 0, mouse.id, alice.id, skeleton.id, box=Box(1, 2, 30, 40),
                              keypoints=keypoints([10.5, 12.375, 2], [14, 9, 1], [0, 0, 0])))
        items.append(Instance(video.id, 4, mouse.id, alice.id, skeleton.id, box=Box(2, 2, 40, 40),
                              keypoints=keypoints([20, 22, 2], [24, 19, 2], [16, 19, 2])))
    if "pred" in kinds:
        items.append(Instance(video.id, 3, mouse.id, bob.id, skeleton.id, keypoints=keypoints([30, 20, 2], [33, 18, 2], [27, 18, 2]),
                              keypoint_scores=np.array([0.9, 0.8, 0.5], np.float32), source="predicted", score=0.75))
    project.instances.add_many(items)
    groom = project.behaviours.add(Behaviour("groom", "g", "#aa0000", "state"))
    rear = project.behaviours.add(Behaviour("rear", "r", "#00aa00", "point"))
    project.events.add_many([
        BehaviourEvent(video.id, groom.id, 1, 3, alice.id), BehaviourEvent(video.id, rear.id, 4, 4, None),
        BehaviourEvent(video.id, groom.id, 4, 5, bob.id),
    ])
    project.suggestions.add(Suggestion(video.id, 5, "manual"))


def snapshot(project: Project, by_order: bool = False, digits: int = 2, fields=("class", "track", "box", "poly", "mask", "pose", "source")) -> list:
    """Every instance as comparable values, ids replaced by names. `by_order`: frames as their
    rank among a video's labelled frames (image formats renumber frames)."""
    names = {kind: {r.id: r.name for r in getattr(project, kind).all()} for kind in ("label_classes", "tracks", "skeletons")}
    nodes = {s.id: s.nodes for s in project.skeletons.all()}
    rows = []
    for v, video in enumerate(project.videos.all()):
        frames = project.instances.on_frames(video.id, 0, 2**31 - 1)
        for rank, (frame, instances) in enumerate(sorted(frames.items())):
            for i in instances:
                values = {"frame": (v, rank if by_order else frame)}
                values["class"] = names["label_classes"].get(i.class_id)
                values["track"] = names["tracks"].get(i.track_id)
                values["box"] = None if i.box is None else tuple(round(c, digits) for c in i.box.as_tuple())
                values["poly"] = tuple(tuple(np.round(p, digits).ravel()) for p in i.polygons)
                values["mask"] = None if i.mask is None else i.mask.counts
                if i.keypoints is not None:
                    k = i.keypoints.copy()
                    k[k[:, 2] == 0] = 0
                    values["pose"] = (nodes[i.skeleton_id], tuple(np.round(k, digits).ravel()))
                else:
                    values["pose"] = None
                values["source"] = (i.source, None if i.score is None else round(i.score, 3))
                rows.append((values["frame"],) + tuple(str(values[f]) for f in fields))
    return sorted(rows)


def events_snapshot(project: Project) -> list:
    behaviours = {b.id: (b.name, b.key, b.kind) for b in project.behaviours.all()}
    tracks = {t.id: t.name for t in project.tracks.all()}
    rows = []
    for v, video in enumerate(project.videos.all()):
        for e in project.events.in_video(video.id):
            rows.append((v, behaviours[e.behaviour_id], tracks.get(e.subject_id), e.start_frame, e.end_frame))
    return sorted(rows, key=str)


@pytest.fixture
def new_project(tmp_path, store_backend, request):
    """`make(name)`: a new project; on the PostgreSQL run, a database of its own on the test
    server (tests/conftest.py runs these tests on both stores)."""
    opened, databases = [], []
    server = request.getfixturevalue("postgres_server") if store_backend == "postgresql" else None

    def make(name: str) -> Project:
        if server is None:
            project = Project.create(tmp_path / name)
        else:
            from core.project.location import open_project

            databases.append(server.create_database())
            project = open_project(server.database_url(databases[-1]), create=True, name=name, folder=tmp_path / name)
        opened.append(project)
        return project

    yield make
    for project in opened:
        project.close()
    for database in databases:
        server.drop_database(database)
