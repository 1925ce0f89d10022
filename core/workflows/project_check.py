"""`ethoframe check`: what is wrong with a project, as a report a user can attach to a bug
report. Reads only (nothing is upgraded or repaired unless asked): the store's check of its
database (`core.project.file_check`: SQLite's own checks, foreign schema objects, every stored
geometry, frame, event and video file), then training runs left "running" by a dead process
and half-written files.
"""

from __future__ import annotations

from pathlib import Path

from core.project.file_check import CheckReport, check_database


def check_project(path: str | Path) -> CheckReport:
    report = check_database(path)
    _check_runs(report)
    _check_files(report.project, report)
    return report


def _check_runs(report: CheckReport) -> None:
    from core.ml.jobs.run_recovery import folder_is_abandoned

    models = report.project / "models"
    for run_id, task, started_at in report.running_runs:
        if folder_is_abandoned(models / f"{task}-{run_id:03d}", started_at):
            report.problem(
                "training run left running by a process that is gone",
                f"run {run_id} ({task}, started {started_at}; `ethoframe check --repair` marks it failed)",
            )


def _check_files(folder: Path, report: CheckReport) -> None:
    models = folder / "models"
    for partial in sorted(models.rglob("*.partial*")) if models.is_dir() else []:
        report.problem("half-written file", f"{partial} (`ethoframe check --repair` removes it)")
    for marker in sorted(folder.glob(".ethoframe-incomplete*")):
        report.problem("project left half-made", f"{marker}: an `ethoframe demo` was stopped while making it")
