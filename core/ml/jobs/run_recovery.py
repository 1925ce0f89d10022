"""Training runs whose process died without saying so, and the half-written files they left.

A training killed outright (SIGKILL, out of memory, a full disk that also stops the database
write of its outcome) leaves its run "running" forever and maybe a `*.partial` checkpoint.
While it trains, a training process holds an OS lock on `training.lock` in its run folder;
the OS lets it go when the process dies, however it dies. A "running" run whose lock nobody
holds is stale: it is marked failed ("interrupted") and its partial files are removed, at the
start of the next training and by `ethoframe check --repair`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from core.domain import TrainingRun
from core.project import Project

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a run is then judged by its age alone
    fcntl = None

LOCK_NAME = "training.lock"
INTERRUPTED = "interrupted: the training process ended without recording why (killed, out of memory or a full disk)"
# A run younger than this whose folder has no lock yet may be a training that is just starting.
GRACE = timedelta(minutes=2)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_folder(project: Project, run: TrainingRun) -> Path:
    return project.models_folder / f"{run.task}-{run.id:03d}"


@contextmanager
def training_lock(folder: Path) -> Iterator[None]:
    """Held for as long as a training process works in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_NAME, "a+") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a second trainer in one folder fails here
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_is_held(path: Path) -> bool:
    if fcntl is None:
        return True
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def _started(started_at: str | None) -> datetime:
    try:
        return datetime.fromisoformat(started_at)
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=timezone.utc)


def is_stale(project: Project, run: TrainingRun) -> bool:
    """Whether `run` says "running" but no process is training it."""
    return run.status == "running" and folder_is_abandoned(run_folder(project, run), run.started_at)


def folder_is_abandoned(folder: Path, started_at: str | None) -> bool:
    """Whether no process trains in run folder `folder` (a run started at `started_at`)."""
    lock = folder / LOCK_NAME
    if lock.is_file():
        return not _lock_is_held(lock)
    return datetime.now(timezone.utc) - _started(started_at) > GRACE


def remove_partials(folder: Path) -> list[Path]:
    """Delete the half-written files (`*.partial`, `*.partial.*`) in a run folder."""
    removed = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.partial*")):
            if path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def remove_abandoned_partials(models_folder: Path) -> list[Path]:
    """Remove half-written files in every run folder no live training holds."""
    removed = []
    if models_folder.is_dir():
        for folder in sorted(p for p in models_folder.iterdir() if p.is_dir()):
            lock = folder / LOCK_NAME
            if not (lock.is_file() and _lock_is_held(lock)):
                removed += remove_partials(folder)
    return removed


def stale_runs(project: Project) -> list[TrainingRun]:
    return [run for run in project.training_runs.all() if is_stale(project, run)]


def recover_stale_runs(project: Project) -> list[TrainingRun]:
    """Mark every stale run failed (interrupted) and remove its partial files; returns them."""
    recovered = []
    for run in stale_runs(project):
        remove_partials(run_folder(project, run))
        recovered.append(project.training_runs.update(run.id, status="failed", error=INTERRUPTED, finished_at=_now()))
    return recovered
