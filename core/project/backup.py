"""A consistent copy of a project's database, through SQLite's online backup API.

Copying `project.sqlite` with the file manager while the window is open loses every edit
still in `project.sqlite-wal` (SQLite moves them into the main file only now and then). The
backup API reads the database as SQLite sees it, WAL content included, in one read
transaction, so a copy made while the window or a predict job writes is the project as it was
at one instant. The copy is checked (`PRAGMA integrity_check`) before it is reported done.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from core.project.errors import NotAProjectError, ProjectError, ProjectExistsError
from core.project.project import DATABASE_NAME

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupSummary:
    database: Path  # the copy of project.sqlite
    bytes: int
    models_copied: int  # files under models/ copied beside it (0 with database_only)


def project_database(path: str | Path) -> Path:
    path = Path(path).expanduser().resolve()
    database = path if path.is_file() else path / DATABASE_NAME
    if not database.is_file():
        raise NotAProjectError(f"{path} is not an Ethoframe project (no {DATABASE_NAME} in it)")
    return database


def backup_project(source: str | Path, dest: str | Path, database_only: bool = False) -> BackupSummary:
    """Copy project `source` to `dest`: a new folder (or an empty one) that becomes a project of
    its own, with `models/` copied too unless `database_only`; or, when `dest` ends in
    `.sqlite`, just the database file."""
    database = project_database(source)
    dest = Path(dest).expanduser().resolve()
    as_file = dest.suffix == ".sqlite"
    target = dest if as_file else dest / DATABASE_NAME
    if target.exists():
        raise ProjectExistsError(f"{target} already exists: back up to a new place")
    if not as_file and dest.exists() and any(dest.iterdir()):
        raise ProjectExistsError(f"{dest} is not empty: back up into a new or empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy_database(database, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    copied = 0
    models = database.parent / "models"
    if not as_file and not database_only and models.is_dir():
        shutil.copytree(models, dest / "models", ignore=shutil.ignore_patterns("*.partial", "*.partial.*", "training.lock"))
        copied = sum(1 for p in (dest / "models").rglob("*") if p.is_file())
    if not as_file:
        (dest / "exports").mkdir(exist_ok=True)
    log.info("backed up %s to %s (%d model files)", database, target, copied)
    return BackupSummary(target, target.stat().st_size, copied)


def _copy_database(database: Path, out: Path) -> None:
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=60)
    copy = sqlite3.connect(out)
    try:
        source.backup(copy)
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise ProjectError(f"the copy of {database} failed its integrity check ({verdict}); run `ethoframe check` on the project")
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    except sqlite3.Error as error:
        raise ProjectError(f"cannot back up {database}: {error}") from None
    finally:
        copy.close()
        source.close()
