"""The project store: one SQLite database (or a PostgreSQL server) holding every label,
prediction, ethogram, model and suggestion of a project, behind plain domain objects."""

from core.project.errors import (
    ConflictError,
    ForeignSchemaError,
    InvalidEditError,
    NewerSchemaError,
    NotAProjectError,
    NotFoundError,
    ProjectBusyError,
    ProjectError,
    ProjectExistsError,
    ProjectReadOnlyError,
    ServerError,
    StorageError,
    VideoRelinkError,
)
from core.project.project import DATABASE_NAME, Project, ProjectCounts
from core.project.tables.records import Removal

__all__ = [
    "ConflictError",
    "DATABASE_NAME",
    "ForeignSchemaError",
    "InvalidEditError",
    "NewerSchemaError",
    "NotAProjectError",
    "NotFoundError",
    "Project",
    "ProjectBusyError",
    "ProjectCounts",
    "ProjectError",
    "ProjectExistsError",
    "ProjectReadOnlyError",
    "Removal",
    "ServerError",
    "StorageError",
    "VideoRelinkError",
]
