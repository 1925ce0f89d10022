"""Shared fixtures: a fresh project with one video registered, and the real third-party data."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Every test, and every process a test starts, logs into a throwaway folder, never the user's.
os.environ["ETHOFRAME_LOG_DIR"] = tempfile.mkdtemp(prefix="ethoframe-test-logs-")
atexit.register(shutil.rmtree, os.environ["ETHOFRAME_LOG_DIR"], ignore_errors=True)

from core.domain import Behaviour, LabelClass, Skeleton, Track, Video  # noqa: E402
from core.project import Project  # noqa: E402
from video_files import write_test_video  # noqa: E402  (tests/ is on the path: pytest puts it there)

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("the shared third-party data (../shared/data) is not beside this checkout")
    return SHARED_DATA.resolve()


# Test files whose `project` runs on both stores: SQLite, and a real PostgreSQL server.
BOTH_BACKENDS = ("core/project/test_project_store.py", "core/project/test_prediction_queries.py", "core/project/test_team_", "core/edits/", "core/interchange/")
# Of those, the ones whose PostgreSQL run is `slow`: the importers and exporters reach the database
# only through the store, which the quick loop (`-m "not slow"`) still runs on both; their second
# run (about 1 s each, a database of its own per test) is left to the full suite.
SLOW_ON_POSTGRESQL = ("core/interchange/",)


def pytest_generate_tests(metafunc) -> None:
    where = Path(str(metafunc.definition.fspath)).resolve().relative_to(Path(__file__).resolve().parent).as_posix()
    sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
    if "store_backend" in metafunc.fixturenames and where.startswith(BOTH_BACKENDS) and not sqlite_only:
        marks = [pytest.mark.slow] if where.startswith(SLOW_ON_POSTGRESQL) else []
        metafunc.parametrize("store_backend", ["sqlite", pytest.param("postgresql", marks=marks)], indirect=True)


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the session (see tests/postgres_server.py)."""
    import postgres_server as servers

    try:
        server = servers.start()
    except RuntimeError as error:
        pytest.skip(f"no PostgreSQL server for the shared-project tests: {error}")
    yield server
    server.stop()


@pytest.fixture
def postgres_database(postgres_server):
    """The URL of an empty database of its own on the test server."""
    name = postgres_server.create_database()
    yield postgres_server.database_url(name)
    postgres_server.drop_database(name)


@pytest.fixture
def store_backend(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def project(tmp_path: Path, store_backend: str, request) -> Project:
    if store_backend == "postgresql":
        from core.project.location import open_project

        url = request.getfixturevalue("postgres_database")
        with open_project(url, create=True, folder=tmp_path / "project") as opened:
            yield opened
        return
    with Project.create(tmp_path / "project") as opened:
        yield opened


@pytest.fixture
def video(project: Project) -> Video:
    """A video record (no file needed for store tests)."""
    return project.videos.add(Video("/data/arena.mp4", 300, 30.0, 640, 480, "f" * 64))


@pytest.fixture
def catalog(project: Project) -> dict:
    """A mouse class, a 3-node skeleton, two tracks and a state and a point behaviour."""
    return {
        "mouse": project.label_classes.add(LabelClass("mouse", "#ff0000")),
        "skeleton": project.skeletons.add(
            Skeleton.from_names("mouse", ["snout", "left_ear", "right_ear"], [("snout", "left_ear"), ("snout", "right_ear")], [("left_ear", "right_ear")])
        ),
        "alice": project.tracks.add(Track("alice", "#00ff00")),
        "bob": project.tracks.add(Track("bob", "#0000ff")),
        "groom": project.behaviours.add(Behaviour("groom", "g", "#aa0000", "state")),
        "rear": project.behaviours.add(Behaviour("rear", "r", "#00aa00", "point")),
    }


@pytest.fixture
def tiny_video(tmp_path: Path) -> Path:
    return write_test_video(tmp_path / "tiny.mp4")
