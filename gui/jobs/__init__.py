"""Background jobs (training, inference) run as separate processes and bridged to Qt signals."""

from gui.jobs.job_runner import JobRunner

__all__ = ["JobRunner"]
