"""The project's videos: their recorded facts, and relinking a video that moved."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

from sqlalchemy import delete, update

from core.domain import Video
from core.project import schema as s
from core.project.codec import video_from_row
from core.project.database import Database
from core.project.errors import VideoRelinkError
from core.project.tables.records import RecordTable


class VideoTable(RecordTable[Video]):
    """Paths are stored as the project knows them and shown as this workstation sees them:
    `roots` maps the project's video folders to where this labeller mounts them (a lab share at
    /mnt/lab on one machine, /Volumes/lab on another), both ways."""

    kind = "video"

    def __init__(self, db: Database) -> None:
        self.roots: list[tuple[str, str]] = []  # (project prefix, local prefix), set by Project
        super().__init__(db, s.videos, self._from_row, self._to_row)

    def _from_row(self, row) -> Video:
        video = video_from_row(row)
        local = map_root(video.path, self.roots, 0)
        return video if local == video.path else replace(video, path=local)

    def _to_row(self, video: Video) -> dict:
        row = {f.name: getattr(video, f.name) for f in fields(video) if f.name != "id"}
        row["path"] = map_root(video.path, self.roots, 1)
        return row

    def by_path(self, path: str | Path) -> Video | None:
        wanted = str(Path(path).resolve())
        return next((v for v in self.all() if v.path == wanted), None)

    def missing(self) -> list[Video]:
        """Videos whose file is no longer where the project recorded it."""
        return [v for v in self.all() if not Path(v.path).exists()]

    def relink(self, video_id: int, new_path: str | Path, fingerprint: str) -> Video:
        """Point a video at its new location, after checking the file there is the same content."""
        video = self.get(video_id)
        # An imported video that was never on this machine has no fingerprint yet: the first
        # file offered is taken, and its fingerprint recorded from now on.
        if video.fingerprint and fingerprint != video.fingerprint:
            raise VideoRelinkError(
                f"{new_path} is not the same video as {video.display_name} (its content differs); nothing was changed"
            )
        with self._db.transaction() as connection:
            connection.execute(
                update(s.videos)
                .where(s.videos.c.id == video_id)
                .values(path=map_root(str(Path(new_path).resolve()), self.roots, 1), fingerprint=fingerprint)
            )
        return self.get(video_id)

    def remove(self, video_id: int) -> None:
        """Remove a video and everything labelled on it (not undoable: the GUI asks first)."""
        self.get(video_id)
        with self._db.transaction() as connection:
            connection.execute(delete(s.videos).where(s.videos.c.id == video_id))


def map_root(path: str, roots: list[tuple[str, str]], side: int) -> str:
    """`path` moved from one side of the longest matching root pair to the other (side 0: the
    project's prefix to this workstation's; side 1: back)."""
    best = None
    for pair in roots:
        prefix = pair[side].rstrip("/")
        if (path == prefix or path.startswith(prefix + "/")) and (best is None or len(prefix) > len(best[side].rstrip("/"))):
            best = pair
    if best is None:
        return path
    return best[1 - side].rstrip("/") + path[len(best[side].rstrip("/")) :]
