"""The project's videos: their recorded facts, and relinking a video that moved."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, update

from core.domain import Video
from core.project import schema as s
from core.project.codec import video_from_row
from core.project.database import Database
from core.project.errors import VideoRelinkError
from core.project.tables.records import RecordTable


class VideoTable(RecordTable[Video]):
    kind = "video"

    def __init__(self, db: Database) -> None:
        super().__init__(db, s.videos, video_from_row)

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
                .values(path=str(Path(new_path).resolve()), fingerprint=fingerprint)
            )
        return self.get(video_id)

    def remove(self, video_id: int) -> None:
        """Remove a video and everything labelled on it (not undoable: the GUI asks first)."""
        self.get(video_id)
        with self._db.transaction() as connection:
            connection.execute(delete(s.videos).where(s.videos.c.id == video_id))
