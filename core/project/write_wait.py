"""How long an interactive edit may wait for the project's write lock.

SQLite lets one writer in at a time and every connection waits up to a minute for its turn (a
job's commit takes milliseconds). A big import writes its file in one transaction (all or
nothing), so an edit made in the window meanwhile used to freeze it for up to that minute and
then fail with "database is locked". The window asks first, with a short wait of its own: when
another process holds the lock longer, the edit is refused at once with a sentence that says so
and nothing is changed (the user repeats it when the import is done). The probe is one short
connection of its own (a fraction of a millisecond); a writer that slips in between the probe
and the edit's own transaction still only delays it (the usual busy wait).
"""

from __future__ import annotations

import sqlite3

from core.project.errors import ProjectBusyError, StorageError
from core.project.project import Project

INTERACTIVE_WAIT_S = 1.5


def wait_for_write(project: Project, seconds: float = INTERACTIVE_WAIT_S) -> None:
    """Return once the project could be written now (within `seconds`); else raise
    ProjectBusyError. A project on a server (row locks, no file lock) always returns."""
    if not project.db.is_sqlite or project.db._current() is not None:  # inside a transaction: it holds the lock
        return
    path = project.db.engine.url.database
    connection = sqlite3.connect(path, timeout=seconds, isolation_level=None, check_same_thread=False)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise StorageError(f"the project database {path} could not be written: {error}", str(error)) from error
        raise ProjectBusyError(
            "another job is writing this project (an import or a prediction): the edit was not made; "
            "repeat it when that job is done"
        ) from None
    finally:
        connection.close()
