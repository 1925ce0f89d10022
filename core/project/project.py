"""The project: a folder with `project.sqlite` (the one source of truth), `models/` and
`exports/`. Opening, creating and upgrading it, and counting what it holds.

Reads and writes go through the record accessors (`project.instances`, `project.tracks`, ...),
which take and return the plain objects of `core.domain`; a `with project.transaction():`
block makes everything inside one commit.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Connection, func, insert, inspect, select
from sqlalchemy.exc import DatabaseError, OperationalError

from core.project import migrations
from core.project.foreign_schema import drop_foreign_objects, find_foreign_objects
from core.project import schema as s
from core.project.database import Database, make_engine
from core.project.errors import (
    ForeignSchemaError,
    NewerSchemaError,
    NotAProjectError,
    ProjectError,
    ProjectExistsError,
    ProjectReadOnlyError,
    StorageError,
)
from core.project.tables.catalog import (
    BehaviourTable,
    LabelClassTable,
    ModelTable,
    SkeletonTable,
    SuggestionTable,
    TrackTable,
    TrainingRunTable,
)
from core.project.tables.events import EventTable
from core.project.tables.instances import InstanceTable
from core.project.tables.users import UserTable
from core.project.tables.videos import VideoTable

DATABASE_NAME = "project.sqlite"
APPLICATION_ID = "ethoframe"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProjectCounts:
    """What a project holds, as `ethoframe info` shows it."""

    videos: int
    frames_labeled: int
    instances_user: int
    instances_predicted: int
    boxes: int
    masks: int
    keypoint_instances: int
    behaviour_events: int
    tracks: int
    models: int
    label_classes: int
    skeletons: int
    behaviours: int
    suggestions: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Project:
    """An open project. Use `Project.create(folder)` or `Project.open(path)`."""

    def __init__(self, folder: Path | None, db: Database) -> None:
        self.folder = folder
        self.db = db
        self.videos = VideoTable(db)
        self.label_classes = LabelClassTable(db)
        self.skeletons = SkeletonTable(db)
        self.tracks = TrackTable(db)
        self.instances = InstanceTable(db)
        self.behaviours = BehaviourTable(db)
        self.events = EventTable(db)
        self.models = ModelTable(db)
        self.training_runs = TrainingRunTable(db)
        self.suggestions = SuggestionTable(db)
        self.users = UserTable(db)
        self.videos.roots = self.users.video_roots(self.user)

    # --- lifecycle -----------------------------------------------------------------------------

    @classmethod
    def create(cls, folder: str | Path, name: str | None = None) -> Project:
        """Make a new project folder (or fill an empty one) and open it."""
        folder = Path(folder).expanduser().resolve()
        if (folder / DATABASE_NAME).exists():
            raise ProjectExistsError(f"{folder} already holds a project; open it instead")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "models").mkdir(exist_ok=True)
            (folder / "exports").mkdir(exist_ok=True)
        except OSError as error:
            raise ProjectReadOnlyError(f"cannot create a project in {folder}: {error.strerror}") from None
        if not os.access(folder, os.W_OK):
            raise ProjectReadOnlyError(f"cannot create a project in {folder}: the folder is read-only")
        db = Database(make_engine(f"sqlite:///{folder / DATABASE_NAME}"))
        _initialise(db, name or folder.name)
        return cls(folder, db)

    @classmethod
    def open(cls, path: str | Path, drop_foreign_schema: bool = False) -> Project:
        """Open a project folder (or its `project.sqlite`), upgrading an older schema.

        A database carrying triggers, views, tables or indexes Ethoframe did not create is
        refused (`ForeignSchemaError`), unless `drop_foreign_schema`: then they are dropped,
        after a copy of the file is kept as `project.sqlite.foreign.bak`."""
        path = Path(path).expanduser().resolve()
        database = path if path.is_file() else path / DATABASE_NAME
        if not database.is_file():
            raise NotAProjectError(f"{path} is not an Ethoframe project (no {DATABASE_NAME} in it)")
        if not _is_sqlite_file(database):
            raise NotAProjectError(f"{database} is not an Ethoframe project database (not SQLite)")
        folder = database.parent
        if not os.access(folder, os.W_OK) or not os.access(database, os.W_OK):
            raise ProjectReadOnlyError(
                f"{folder} is read-only: Ethoframe saves every label as you make it, so it needs to write there"
            )
        db = Database(make_engine(f"sqlite:///{database}"))
        try:
            _check_and_upgrade(db, database, drop_foreign_schema)
        except StorageError as error:  # the file is damaged, or not our database after all
            db.dispose()
            raise NotAProjectError(f"{database} cannot be read as an Ethoframe project: {error.reason}") from None
        except ProjectError:
            db.dispose()
            raise
        except (DatabaseError, OperationalError) as error:
            db.dispose()
            raise NotAProjectError(f"{database} cannot be read as an Ethoframe project: {error.orig}") from None
        log.info("opened project %s", folder)
        return cls(folder, db)

    @classmethod
    def connect(cls, url, folder: str | Path | None = None, name: str = "shared", create: bool = True,
                new: bool = False, location: str | None = None) -> Project:
        """Open a project on a database server, e.g. `postgresql+psycopg://user@host/lab`, for
        labs that label as a team. An empty database becomes a project when `create`; one
        holding other tables is refused. `core.project.location.open_project` is what the
        CLI and the window call: it takes what a user typed and words the server's refusals."""
        db = Database(make_engine(url))
        db.location = location  # what messages name: the URL as the user typed it
        try:
            with db.transaction() as connection:
                tables = inspect(connection).get_table_names()
            if "meta" in tables and new:
                where = db.location or db.engine.url.render_as_string(hide_password=True)
                raise ProjectExistsError(f"{where} already holds a project; open it instead")
            if "meta" in tables:
                _check_and_upgrade(db, None)
            elif create and not tables:
                _initialise(db, name)
            else:
                where = db.location or db.engine.url.render_as_string(hide_password=True)
                hint = f" ({len(tables)} other tables in it)" if tables else " (an empty database: `ethoframe new` makes it one)"
                raise NotAProjectError(f"{where} is a database, but not an Ethoframe project{hint}")
        except BaseException:
            db.dispose()
            raise
        return cls(Path(folder) if folder else None, db)

    @property
    def user(self) -> str:
        """Who is labelling in this process (recorded on what they make and change)."""
        return self.db.user

    @property
    def location(self) -> str:
        """What to hand a job or another window to open this project: the folder, or the
        server URL without any password."""
        if self.db.is_sqlite:
            return str(self.folder)
        return self.db.location or self.db.engine.url.render_as_string(hide_password=True)

    @property
    def is_shared(self) -> bool:
        return not self.db.is_sqlite

    def map_video_root(self, project_prefix: str, local_prefix: str | Path) -> list[tuple[str, str]]:
        """This labeller's workstation sees the project's videos under `project_prefix` at
        `local_prefix` (recorded under their name); returns their mapping now."""
        local = str(Path(local_prefix).expanduser().resolve())
        roots = [r for r in self.videos.roots if r[0].rstrip("/") != project_prefix.rstrip("/")]
        roots.append((project_prefix.rstrip("/"), local))
        self.users.set_video_roots(self.user, roots)
        self.videos.roots = roots
        return roots

    def use_folder(self, folder: str | Path) -> Path:
        """For a shared project: where this user's models and exports go (made if missing, and
        recorded under their name so their next session finds it)."""
        folder = Path(folder).expanduser().resolve()
        try:
            for sub in ("", "models", "exports"):
                (folder / sub).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ProjectReadOnlyError(f"cannot use {folder} for models and exports: {error.strerror}") from None
        if self.users.folder_of(self.user) != str(folder):
            self.users.set_folder(self.user, str(folder))
        self.folder = folder
        return folder

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Everything done inside commits as one transaction, or not at all."""
        with self.db.transaction() as connection:
            yield connection

    # --- facts ---------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        with self.db.reading() as connection:
            row = connection.execute(select(s.meta.c.value).where(s.meta.c.key == "name")).first()
        return row[0] if row else (self.folder.name if self.folder else "project")

    @property
    def models_folder(self) -> Path:
        if self.folder is None:
            raise ProjectError("this project has no folder for models")
        return self.folder / "models"

    def counts(self) -> ProjectCounts:
        """Everything counted in one read transaction, so the numbers agree with each other."""
        with self.db.reading() as connection:
            instances = self.instances.summary()
            return ProjectCounts(
                videos=len(self.videos.all()),
                frames_labeled=instances["frames_labeled"],
                instances_user=instances["instances_user"],
                instances_predicted=instances["instances_predicted"],
                boxes=instances["boxes"],
                masks=instances["masks"],
                keypoint_instances=instances["keypoint_instances"],
                behaviour_events=self.events.count(),
                tracks=len(self.tracks.all()),
                models=len(self.models.all()),
                label_classes=len(self.label_classes.all()),
                skeletons=len(self.skeletons.all()),
                behaviours=len(self.behaviours.all()),
                suggestions=connection.execute(select(func.count()).select_from(s.suggestions)).scalar_one(),
            )


def _initialise(db: Database, name: str) -> None:
    with db.transaction() as connection:
        s.metadata.create_all(connection)
        connection.execute(
            insert(s.meta),
            [
                {"key": "application", "value": APPLICATION_ID},
                {"key": "schema_version", "value": str(s.SCHEMA_VERSION)},
                {"key": "name", "value": name},
            ],
        )


def _check_and_upgrade(db: Database, database: Path | None, drop_foreign_schema: bool = False) -> None:
    where = database or db.location or db.engine.url.render_as_string(hide_password=True)
    with db.reading() as connection:
        if not inspect(connection).has_table("meta"):
            raise NotAProjectError(f"{where} is a database, but not an Ethoframe project")
        version = migrations.read_version(connection)
        foreign = find_foreign_objects(connection)
    if foreign and version is not None:
        if not drop_foreign_schema:
            listed = ", ".join(o.describe() for o in foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise ForeignSchemaError(
                f"{where} holds {len(foreign)} database object(s) Ethoframe did not create ({listed}); "
                "they could change or delete labels behind its back, so the project was not opened. "
                "Nothing was changed. `ethoframe check PROJECT --drop-foreign-schema` removes them "
                "(keeping a copy of the file)."
            )
        if database is not None:
            shutil.copy2(database, database.with_name(f"{database.name}.foreign.bak"))
        with db.transaction() as connection:
            drop_foreign_objects(connection, foreign)
    if version is None:
        raise NotAProjectError(f"{where} is a database, but not an Ethoframe project (no schema version)")
    if version > s.SCHEMA_VERSION:
        raise NewerSchemaError(
            f"{where} was saved by a newer Ethoframe (schema {version}; this one reads up to "
            f"{s.SCHEMA_VERSION}); update Ethoframe to open it. Nothing was changed."
        )
    if version < s.SCHEMA_VERSION:
        if database is not None:
            shutil.copy2(database, database.with_name(f"{database.name}.v{version}.bak"))
        log.info("upgrading %s from schema %d to %d%s", where, version, s.SCHEMA_VERSION,
                 f" (the old file kept as {database.name}.v{version}.bak)" if database is not None else "")  # fmt: skip
        with db.migrating() as connection:
            migrations.upgrade(connection, version, s.SCHEMA_VERSION)


def _is_sqlite_file(path: Path) -> bool:
    with open(path, "rb") as handle:
        header = handle.read(16)
    return header == b"SQLite format 3\x00"
