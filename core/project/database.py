"""The connection to a project's database: engine set-up, pragmas, and transactions.

SQLite is opened in WAL mode (readers never block the writer), with foreign keys on and a busy
timeout, and every write transaction starts with BEGIN IMMEDIATE. That last point is what keeps
two processes (the GUI and a training job) free of "database is locked": a deferred transaction
that reads first and writes later cannot wait for the lock when another process wrote in
between, and fails at once; an immediate one takes the write lock up front and simply waits.
`synchronous=NORMAL` in WAL mode keeps every committed transaction across a crash of the
process (only a power cut may lose the last few), at a fraction of FULL's fsync cost.

The same code runs on PostgreSQL by passing its URL: the SQLite-only parts are applied only
when the dialect is SQLite.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, ProgrammingError

BUSY_TIMEOUT_S = 60.0
_WRITE = "ethoframe_write"


def make_engine(url: str) -> Engine:
    """An engine for `url`, tuned for a project database shared by several processes."""
    if not str(url).startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # Python's sqlite3 would otherwise open its own deferred transactions behind our back.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        # A 64 MiB page cache and memory-mapped reads: per-frame loads stay sub-millisecond
        # in a project of hundreds of megabytes.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Database:
    """Runs statements in transactions; a transaction opened on a thread is reused by every
    statement that thread runs until it ends, so an edit of many statements commits once."""

    def __init__(self, engine: Engine, user: str | None = None) -> None:
        from core.project.location import current_user

        self.engine = engine
        self._local = threading.local()
        self.user = user or current_user()  # recorded on every row this process makes or changes
        self.client = uuid.uuid4().hex  # this process, in `changes`: a window skips its own
        self._clock_offset: float | None = None
        self.location: str | None = None  # a shared project's URL as the user gave it (no password)
        # (table, id) -> versions of that row this process wrote: a conflict is someone else's write
        self.own_versions: dict[tuple[str, int], set[int]] = {}

    def now(self) -> float:
        """Seconds since 1970 by the database's clock (the server's, for a shared project: the
        workstations' clocks may disagree, and "changed 3 s ago" must not)."""
        if self._clock_offset is None:
            self._clock_offset = 0.0
            if not self.is_sqlite:
                with self.engine.connect() as connection:
                    server = connection.exec_driver_sql("SELECT extract(epoch FROM clock_timestamp())").scalar_one()
                self._clock_offset = float(server) - time.time()
        return time.time() + self._clock_offset

    def note_change(self, change) -> None:
        """Remember what the current write transaction touched (a `changes.Change`); it is
        announced to other windows when the transaction commits, and forgotten if it fails."""
        current = self._current()
        if current is None or not current[1]:
            raise RuntimeError("a change was noted outside a write transaction")
        self._local.changes.append(change)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _current(self) -> tuple[Connection, bool] | None:
        return getattr(self._local, "current", None)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction: everything inside commits together or not at all."""
        current = self._current()
        if current is not None:
            connection, writable = current
            if not writable:
                raise RuntimeError("a write was started inside a read-only transaction")
            yield connection
            return
        with self._open(write=True) as connection:
            yield connection

    @contextmanager
    def migrating(self) -> Iterator[Connection]:
        """A write transaction with SQLite's foreign-key enforcement off (a table can only be
        rebuilt so); the caller checks the references before it ends. Enforcement is back on
        when the connection returns to the pool."""
        if self._current() is not None:
            raise RuntimeError("a migration cannot run inside another transaction")
        with self.engine.connect() as connection:
            raw = connection.connection.driver_connection  # outside SQLAlchemy's autobegin
            if self.is_sqlite:
                raw.execute("PRAGMA foreign_keys=OFF")
            connection.execution_options(**{_WRITE: True})
            self._local.current, self._local.changes = (connection, True), []
            try:
                with connection.begin():
                    yield connection
            except DBAPIError as error:
                self._raise_storage_error(error)
            finally:
                self._local.current = None
                if self.is_sqlite:
                    raw.execute("PRAGMA foreign_keys=ON")

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot, never blocking a writer."""
        current = self._current()
        if current is not None:
            yield current[0]
            return
        with self._open(write=False) as connection:
            yield connection

    @contextmanager
    def _open(self, write: bool) -> Iterator[Connection]:
        if self.is_sqlite:
            try:
                with self._begin(write) as connection:
                    yield connection
            except DBAPIError as error:
                self._raise_storage_error(error)
            return
        self._local.connected = False
        try:
            with self._begin(write) as connection:
                yield connection
        except (OperationalError, InterfaceError) as error:
            if _is_transient(error):
                raise
            from core.project.errors import ServerError
            from core.project.location import describe_server_error

            message = describe_server_error(error, self.location or self.engine.url)
            if write and self._local.connected:  # lost in the middle: say what became of the change
                message += "; nothing of this change was saved (the server keeps whole transactions or none)"
            raise ServerError(message) from None
        except DBAPIError as error:
            self._raise_storage_error(error)

    def _raise_storage_error(self, error: DBAPIError) -> None:
        """Inside `except`: a driver error that left a transaction, raised as a `StorageError`
        naming the database; a broken constraint or statement (Ethoframe's bug) goes on as it
        is, for the bug report."""
        if isinstance(error, (IntegrityError, ProgrammingError)):
            raise error
        from core.project.errors import StorageError

        reason = str(error.orig).strip() or type(error.orig).__name__
        if self.is_sqlite:
            where = f"the project database {self.engine.url.database}"
        else:
            where = f"the project database on {self.location or self.engine.url.render_as_string(hide_password=True)}"
        raise StorageError(f"{where} could not be read or written: {reason}", reason) from error

    @contextmanager
    def _begin(self, write: bool) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            self._local.connected = True
            connection.execution_options(**{_WRITE: write})
            self._local.current, self._local.changes = (connection, write), []
            try:
                with connection.begin():
                    yield connection
                    if self._local.changes:
                        from core.project.changes import announce

                        announce(connection, self._local.changes, self)
            finally:
                self._local.current, self._local.changes = None, []

    def dispose(self) -> None:
        self.engine.dispose()


def _is_transient(error: Exception) -> bool:
    """A deadlock or serialization failure: the server is there, the caller may retry."""
    try:
        from psycopg.errors import TransactionRollbackError
    except ImportError:
        return False
    return isinstance(getattr(error, "orig", None), TransactionRollbackError)
