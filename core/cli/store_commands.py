"""Commands that look after the project file itself: `check` and `backup`.

    ethoframe check projects/mice             # a report to attach to bug reports; exit 1 on problems
    ethoframe check projects/mice --repair    # mark dead training runs failed, remove half-written files
    ethoframe backup projects/mice /backups/mice-2026-12-02
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.project import Project
from core.project.backup import backup_project
from core.project.location import is_url, mask, open_project, project_location


def register(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser("check", help="check a project's database and files; prints a report for bug reports")
    check.add_argument("project", type=project_location)
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--repair", action="store_true",
                       help="mark training runs whose process is gone as failed and remove half-written files")
    check.add_argument("--drop-foreign-schema", action="store_true",
                       help="drop triggers, views, tables and indexes Ethoframe did not create (a copy is kept)")
    check.set_defaults(run=run_check)

    backup = commands.add_parser(
        "backup", help="a consistent copy of a project, safe while the window or a job is writing (SQLite's backup API)"
    )
    backup.add_argument("project", type=project_location)
    backup.add_argument("dest", type=Path, metavar="DEST", help="a new folder, or a file ending in .sqlite")
    backup.add_argument("--database-only", action="store_true", help="copy project.sqlite but not models/")
    backup.set_defaults(run=run_backup)


def run_check(args: argparse.Namespace) -> int:
    from core.workflows.project_check import check_project

    if is_url(args.project):
        return _check_shared(args)
    if args.drop_foreign_schema:
        Project.open(args.project, drop_foreign_schema=True).close()
        print(f"dropped what Ethoframe did not create; the file as it was is {args.project}/project.sqlite.foreign.bak")
    if args.repair:
        from core.ml.jobs.run_recovery import recover_stale_runs, remove_abandoned_partials

        with open_project(args.project) as project:
            for run in recover_stale_runs(project):
                print(f"training run {run.id}: marked failed (interrupted)")
            for removed in remove_abandoned_partials(project.models_folder):
                print(f"removed half-written {removed}")
    report = check_project(args.project)
    print(report.as_json() if args.json else report.as_text())
    return 0 if report.ok else 1


def _check_shared(args: argparse.Namespace) -> int:
    """A shared project: the server reached, the schema read and upgraded, the counts agree."""
    with open_project(args.project) as project:
        counts = project.counts().as_dict()
        report = {"project": project.location, "schema": "ok", "user": project.user, "folder": str(project.folder), **counts}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print("\n".join(f"{key}: {value}" for key, value in report.items()))
    return 0


def run_backup(args: argparse.Namespace) -> int:
    if is_url(args.project):
        raise ValueError(
            f"{mask(args.project)} is on a PostgreSQL server: back it up with the server's own tool "
            "(pg_dump -Fc DATABASE > mice.dump), or export its labels (ethoframe export)"
        )
    summary = backup_project(args.project, args.dest, args.database_only)
    extra = f" and {summary.models_copied} model files" if summary.models_copied else ""
    print(f"backed up {args.project} to {summary.database} ({summary.bytes:,} bytes, integrity ok){extra}")
    return 0
