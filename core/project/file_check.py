"""The database half of `ethoframe check`: what is wrong inside a project's `project.sqlite`,
read with SQLite itself (the file opened read-only, not as a `Project`: a damaged, foreign or
newer file must still be reported on, never upgraded). SQLite's integrity and foreign-key
checks, schema objects Ethoframe did not create, every stored geometry finite and inside its
frame (`geometry_check`), every frame and event inside its video, every video file present.
`core.workflows.project_check` adds what lies outside the database.
"""

from __future__ import annotations

import json
import platform
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from core.project.backup import project_database
from core.project.errors import StorageError
from core.project.foreign_schema import SCHEMA_QUERY, foreign_objects_in
from core.project.geometry_check import check_instances

EXAMPLES = 5  # examples kept per kind of problem


@dataclass
class Finding:
    kind: str  # a short name, e.g. "box outside its frame"
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(example)


@dataclass
class CheckReport:
    project: Path
    facts: dict[str, object] = field(default_factory=dict)
    problems: dict[str, Finding] = field(default_factory=dict)
    # (id, task, started at) of the training runs marked running, for the caller to judge
    # whether their process is gone (the store knows nothing of model folders)
    running_runs: list[tuple[int, str, str]] = field(default_factory=list, repr=False)

    def problem(self, kind: str, example: str) -> None:
        self.problems.setdefault(kind, Finding(kind)).add(example)

    def problems_found(self, kind: str, count: int, examples: list[str]) -> None:
        finding = self.problems.setdefault(kind, Finding(kind))
        finding.count += count
        finding.examples += examples[: EXAMPLES - len(finding.examples)]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "project": str(self.project), "ok": self.ok, "facts": self.facts,
            "problems": [{"kind": f.kind, "count": f.count, "examples": f.examples} for f in self.problems.values()],
        }  # fmt: skip

    def as_text(self) -> str:
        lines = [f"ethoframe check: {self.project}"]
        lines += [f"  {key}: {value}" for key, value in self.facts.items()]
        if self.ok:
            lines.append("no problems found")
        else:
            lines.append(f"{sum(f.count for f in self.problems.values())} problem(s):")
            for finding in self.problems.values():
                lines.append(f"  {finding.kind}: {finding.count}")
                lines += [f"    e.g. {example}" for example in finding.examples]
        return "\n".join(lines)

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)


def check_database(path: str | Path) -> CheckReport:
    """The report on the database of the project at `path` (its folder or its file)."""
    database = project_database(path)
    report = CheckReport(database.parent)
    report.facts.update(_environment(database))
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=60)
    except sqlite3.Error as error:
        raise StorageError(f"the project database {database} could not be opened: {error}", str(error)) from error
    try:
        _check_sqlite(connection, report)
        if "unreadable" not in report.problems:
            _check_records(connection, report)
    except sqlite3.DatabaseError as error:  # damage the integrity check did not reach
        report.problem("unreadable", f"SQLite cannot read the file: {error}")
    finally:
        connection.close()
    return report


def _environment(database: Path) -> dict[str, object]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ethoframe = version("ethoframe")
    except PackageNotFoundError:
        ethoframe = "unknown (not installed)"
    wal = database.with_name(database.name + "-wal")
    return {
        "ethoframe": ethoframe, "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(), "database bytes": database.stat().st_size,
        "wal bytes": wal.stat().st_size if wal.exists() else 0,
    }  # fmt: skip


def _check_sqlite(connection: sqlite3.Connection, report: CheckReport) -> None:
    try:
        verdicts = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        report.problem("unreadable", f"SQLite cannot read the file: {error}")
        return
    if verdicts != ["ok"]:
        for verdict in verdicts:
            report.problem("integrity check", verdict)
    for table, rowid, parent, _ in connection.execute("PRAGMA foreign_key_check"):
        report.problem("broken reference", f"{table} row {rowid} names a missing {parent} row")
    for obj in foreign_objects_in(connection.execute(SCHEMA_QUERY).fetchall()):
        report.problem(
            "database object Ethoframe did not create", f"{obj.describe()} (`ethoframe check --drop-foreign-schema` removes it)"
        )
    meta = dict(connection.execute("SELECT key, value FROM meta").fetchall()) if _has_table(connection, "meta") else {}
    report.facts["schema version"] = meta.get("schema_version", "none")
    if meta.get("application") != "ethoframe":
        report.problem("unreadable", "not an Ethoframe project database (no application mark)")


def _has_table(connection: sqlite3.Connection, name: str) -> bool:
    return connection.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None


def _check_records(connection: sqlite3.Connection, report: CheckReport) -> None:
    videos = {row[0]: row[1:] for row in connection.execute("SELECT id, path, frame_count, width, height FROM videos")}
    report.facts["videos"] = len(videos)
    for video_id, (path, *_size) in videos.items():
        if not Path(path).exists():
            report.problem("video file missing", f"video {video_id}: {path} (`ethoframe relink` tells the project where it is)")
    sizes = {video_id: (frames, width, height) for video_id, (_, frames, width, height) in videos.items()}
    count = check_instances(connection, sizes, report.problems_found)
    report.facts["instances"] = count
    report.running_runs = connection.execute("SELECT id, task, started_at FROM training_runs WHERE status = 'running'").fetchall()
    for event_id, video_id, start, end in connection.execute("SELECT id, video_id, start_frame, end_frame FROM behaviour_events"):
        frames = videos.get(video_id, (None, None))[1]
        if end is not None and end < start:
            report.problem("event ends before it starts", f"event {event_id}: frames {start} to {end}")
        elif frames is not None and not (0 <= start < frames and (end is None or end < frames)):
            report.problem("event outside its video", f"event {event_id}: frames {start} to {end} of {frames}")
