"""What each commit touched, told to the other windows open on the same project.

The store notes a `Change` for every write of instances or events (`Database.note_change`);
when the transaction commits they are announced: on PostgreSQL as a NOTIFY on one channel
(delivered by the server at commit, to every listening client, never for a rolled-back
transaction), on SQLite as rows of the `changes` table written in the same transaction (one
writer at a time, so their ids are in commit order). A `ChangeWatcher` in each window listens
(PostgreSQL) or checks `PRAGMA data_version` ten times a second (SQLite: a read of one
in-memory counter, microseconds; the table is only read when another connection committed), and hands the
changes other processes made to a callback, which the GUI turns into a targeted refresh.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, func, insert, select

from core.project import schema as s

if TYPE_CHECKING:
    from core.project.database import Database

CHANNEL = "ethoframe_changes"
KEEP_S = 600.0  # SQLite's `changes` rows older than this are pruned (a window reads them within a second)
_MAX_IDS = 200  # more ids than this in one change: sent as "the frame" (NOTIFY payloads stop at 8000 bytes)


@dataclass(frozen=True)
class Change:
    """Instances (or events, or the catalog) of video `video_id`, frame `frame_index` changed;
    None means any. Mirrors `core.edits.Touched`, plus who did it, when, and from which process."""

    topic: str
    video_id: int | None = None
    frame_index: int | None = None
    instance_ids: tuple[int, ...] = ()
    track_ids: tuple[int, ...] = ()
    predicted: bool = False
    by: str | None = None
    at: float | None = None
    client: str | None = None

    def as_dict(self) -> dict:
        return {"topic": self.topic, "video_id": self.video_id, "frame_index": self.frame_index,
                "instance_ids": list(self.instance_ids), "track_ids": list(self.track_ids),
                "predicted": self.predicted, "by": self.by, "at": self.at, "client": self.client}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict) -> Change:
        return cls(data["topic"], data.get("video_id"), data.get("frame_index"), tuple(data.get("instance_ids") or ()),
                   tuple(data.get("track_ids") or ()), bool(data.get("predicted")), data.get("by"), data.get("at"),
                   data.get("client"))  # fmt: skip


def announce(connection: Connection, changes: list[Change], db: Database) -> None:
    """Inside the committing transaction: tell the other clients what it changed."""
    at = db.now()
    stamped = [
        Change(c.topic, c.video_id, c.frame_index, c.instance_ids if len(c.instance_ids) <= _MAX_IDS else (),
               c.track_ids[:_MAX_IDS], c.predicted, db.user, at, db.client)
        for c in dict.fromkeys(changes)
    ]  # fmt: skip
    if len(stamped) > 50:  # a bulk write (predictions over a video): one change per video
        videos = sorted({c.video_id for c in stamped}, key=lambda v: (v is None, v))
        stamped = [Change(stamped[0].topic, v, None, (), (), True, db.user, at, db.client) for v in videos]
    if db.is_sqlite:
        rows = [{**c.as_dict(), "predicted": int(c.predicted)} for c in stamped]
        connection.execute(insert(s.changes), rows)
        if latest_change_id(connection) % 100 < len(rows):  # now and then: keep only the last minutes
            connection.execute(delete(s.changes).where(s.changes.c.at < at - KEEP_S))
        return
    for change in stamped:
        connection.exec_driver_sql("SELECT pg_notify(%(channel)s, %(payload)s)",
                                   {"channel": CHANNEL, "payload": json.dumps(change.as_dict())})  # fmt: skip


class ChangeWatcher:
    """Calls `on_changes(list[Change])` from its own thread with what other processes commit
    to the project of `db`; `on_status(str | None)` when the server is lost (a sentence) or
    back (None). `stop()` ends it within `interval` seconds."""

    def __init__(self, db: Database, on_changes: Callable[[list[Change]], None],
                 on_status: Callable[[str | None], None] | None = None, interval: float = 0.1) -> None:
        self._db, self._on_changes, self._on_status = db, on_changes, on_status or (lambda _s: None)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ethoframe-changes", daemon=True)
        self._ready = threading.Event()

    def start(self) -> ChangeWatcher:
        self._thread.start()
        self._ready.wait(10)  # listening before start() returns: nothing committed after it is missed
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(5)

    def _deliver(self, changes: list[Change]) -> None:
        mine = self._db.client
        changes = [c for c in changes if c.client != mine]
        if changes:
            self._on_changes(changes)

    def _run(self) -> None:
        try:
            (self._watch_sqlite if self._db.is_sqlite else self._watch_postgresql)()
        finally:
            self._ready.set()

    # --- SQLite: a counter, then the table ---------------------------------------------------

    def _watch_sqlite(self) -> None:
        path = self._db.engine.url.database
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5, check_same_thread=False)
        try:
            last = connection.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]
            version = connection.execute("PRAGMA data_version").fetchone()[0]
            self._ready.set()
            while not self._stop.wait(self.interval):
                now = connection.execute("PRAGMA data_version").fetchone()[0]
                if now == version:
                    continue
                version = now
                rows = connection.execute(
                    "SELECT id, at, by, client, topic, video_id, frame_index, instance_ids, track_ids, predicted "
                    "FROM changes WHERE id > ? ORDER BY id", (last,)
                ).fetchall()
                if rows:
                    last = rows[-1][0]
                    self._deliver([_from_sqlite_row(row) for row in rows])
        finally:
            connection.close()

    # --- PostgreSQL: LISTEN -------------------------------------------------------------------

    def _watch_postgresql(self) -> None:
        import psycopg

        engine = self._db.engine
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        lost = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(*args, **kwargs, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    if lost:
                        lost = False
                        self._on_status(None)
                        self._deliver([Change("catalog", by=None, client="reconnected")])  # what was missed: reload
                    self._ready.set()
                    while not self._stop.is_set():  # each notification as it comes; timeouts only to check stop
                        for notification in connection.notifies(timeout=self.interval):
                            self._deliver([Change.from_dict(json.loads(notification.payload))])
                            if self._stop.is_set():
                                break
            except psycopg.OperationalError as error:
                if not lost:
                    lost = True
                    from core.project.location import describe_server_error

                    self._on_status(f"{describe_server_error(error, engine.url)}; retrying")
                self._ready.set()
                self._stop.wait(2.0)


def _from_sqlite_row(row: tuple) -> Change:
    _id, at, by, client, topic, video_id, frame_index, instance_ids, track_ids, predicted = row
    return Change(topic, video_id, frame_index, tuple(json.loads(instance_ids)), tuple(json.loads(track_ids)),
                  bool(predicted), by, at, client)  # fmt: skip


def latest_change_id(connection: Connection) -> int:
    return connection.execute(select(func.coalesce(func.max(s.changes.c.id), 0))).scalar_one()
