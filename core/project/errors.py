"""What can go wrong opening or changing a project, as exceptions the CLI and GUI can catch.

Every message is one sentence a biologist can act on, naming the file involved.
"""

from __future__ import annotations


class ProjectError(Exception):
    """Base of every project-store error."""


class NotAProjectError(ProjectError):
    """The path is not an Ethoframe project (no project.sqlite, or not our database)."""


class NewerSchemaError(ProjectError):
    """The project was written by a newer Ethoframe; opening it here could damage it."""


class ForeignSchemaError(ProjectError):
    """The database carries triggers, views or tables Ethoframe did not create."""


class ProjectReadOnlyError(ProjectError):
    """The project folder or database cannot be written."""


class ProjectExistsError(ProjectError):
    """Creating a project where one already is."""


class NotFoundError(ProjectError):
    """A record (video, instance, class...) the caller named does not exist."""


class InvalidEditError(ProjectError):
    """An edit that cannot be made: names an unknown node, ends an event before it starts..."""


class VideoRelinkError(ProjectError):
    """A new path offered for a moved video holds other content."""


class ServerError(ProjectError):
    """The database server of a shared project cannot be reached, or refused us (one line,
    with the URL's password masked)."""


class StorageError(ProjectError):
    """The project's database could not be read or written in the middle of a command (a full
    disk, an I/O error, a file damaged since it was opened): the transaction that met it was
    rolled back. `reason` is what the database said ("database or disk is full")."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


class ConflictError(ProjectError):
    """Another labeller changed the record since this view read it: the write was refused and
    nothing was overwritten ("changed by ana 3 s ago: reloaded")."""


class ProjectBusyError(ProjectError):
    """Another process (an import, a prediction job) has held the project's write lock longer
    than an interactive edit may wait: the edit was not made."""
