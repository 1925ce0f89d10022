"""The same store code on PostgreSQL, for labs that label as a team on a shared server.

Starts a throwaway PostgreSQL cluster when the server binaries and psycopg are installed
(skipped otherwise), and runs every annotation kind and the undo history against it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pytest

from core.domain import BehaviourEvent, Box, Instance, LabelClass, Rle, Skeleton, Track, Video
from core.edits import DeleteRecord, EditHistory, move_keypoint, toggle_state_event
from core.project import Project

pytest.importorskip("psycopg")


def _binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


@pytest.fixture(scope="module")
def postgres_url():
    if os.environ.get("ETHOFRAME_TEST_POSTGRES_URL"):
        yield os.environ["ETHOFRAME_TEST_POSTGRES_URL"]
        return
    bin_dir = _binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    # Not under pytest's tmp dir: the postgres user cannot enter root's private folders.
    root = Path(tempfile.mkdtemp(prefix="ethoframe-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    # initdb refuses to run as root: run the cluster as the postgres user when we are root.
    prefix = ["su", "postgres", "-s", "/bin/sh", "-c"] if os.geteuid() == 0 else ["sh", "-c"]
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        os.chmod(root, 0o755)

    def run(command: str) -> None:
        subprocess.run(prefix + [command], check=True, capture_output=True, timeout=120)

    try:
        run(f"{bin_dir}/initdb -D {data} -A trust -U ethoframe")
        run(f"{bin_dir}/pg_ctl -D {data} -l {root}/log -o \"-k {sock} -c listen_addresses=''\" -w start")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError) as error:
        pytest.skip(f"could not start a PostgreSQL cluster: {error}")
    try:
        yield f"postgresql+psycopg://ethoframe@/postgres?host={sock}"
    finally:
        run(f"{bin_dir}/pg_ctl -D {data} -m immediate stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_project(postgres_url):
    from sqlalchemy import create_engine, text

    name = f"lab_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = postgres_url.replace("/postgres?", f"/{name}?")
    project = Project.connect(url)
    yield project, url
    project.close()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def test_every_annotation_kind_and_undo_on_postgresql(pg_project):
    project, url = pg_project
    video = project.videos.add(Video("/lab/cage.mp4", 100, 30.0, 64, 48, "a" * 64))
    mouse = project.label_classes.add(LabelClass("mouse"))
    skeleton = project.skeletons.add(Skeleton.from_names("m", ["snout", "tail"], [("snout", "tail")]))
    alice = project.tracks.add(Track("alice"))
    groom = project.behaviours.add(__import__("core.domain", fromlist=["Behaviour"]).Behaviour("groom", "g"))
    mask = np.zeros((48, 64), dtype=bool)
    mask[10:20, 10:30] = True
    made = project.instances.add(
        Instance(video.id, 3, class_id=mouse.id, track_id=alice.id, skeleton_id=skeleton.id, box=Box(1, 2, 3, 4),
                 polygons=(np.array([[0, 0], [5, 0], [0, 5]]),), mask=Rle.from_array(mask),
                 keypoints=np.array([[1, 2, 2], [0, 0, 0]]))
    )  # fmt: skip
    assert project.instances.on_frame(video.id, 3)[0].same_as(made)
    project.instances.add_many([Instance(video.id, f, box=Box(0, 0, 1, 1), source="predicted", score=0.5) for f in range(10)])

    history = EditHistory(project)
    history.push(move_keypoint(project, made.id, 1, 7, 8))
    history.push(toggle_state_event(project, video.id, groom.id, 5, alice.id))
    history.push(toggle_state_event(project, video.id, groom.id, 9, alice.id))
    history.push(DeleteRecord("tracks", alice.id))
    assert project.instances.get(made.id).track_id is None
    history.undo()
    assert project.instances.get(made.id).track_id == alice.id
    (event,) = project.events.in_video(video.id)
    assert (event.start_frame, event.end_frame, event.subject_id) == (5, 9, alice.id)
    history.undo()
    history.undo()
    history.undo()
    assert project.instances.get(made.id).keypoints[1, 2] == 0

    counts = project.counts()
    assert (counts.instances_user, counts.instances_predicted, counts.frames_labeled, counts.masks) == (1, 10, 1, 1)
    project.events.add(BehaviourEvent(video.id, groom.id, 0, None))
    with Project.connect(url) as second:  # a second client sees the same data
        assert second.counts().behaviour_events == 1
