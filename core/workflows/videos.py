"""Adding videos to a project and relinking videos that moved.

A video is probed (exact frame count, fps, size) and fingerprinted before anything is written,
so a bad file in a batch changes nothing: all the videos are added, or none.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from core.domain import Video
from core.project import Project
from core.video import fingerprint_file, probe_video
from core.video.errors import VideoCorruptError


def add_videos(project: Project, paths: Iterable[str | Path]) -> list[Video]:
    """Register videos (files or image folders); ones already in the project are returned as
    they are. Raises `core.video.VideoError` naming the first bad file, adding none."""
    probed: list[Video] = []
    existing: dict[str, Video] = {v.path: v for v in project.videos.all()}
    for path in paths:
        resolved = str(Path(path).expanduser().resolve())
        if resolved in existing:
            probed.append(existing[resolved])
            continue
        if Path(resolved).exists() and not (Path(resolved).is_file() or Path(resolved).is_dir()):
            raise VideoCorruptError(f"{resolved} is not a regular file (a pipe, device or socket): a video must be a file or an image folder", resolved)
        info = probe_video(resolved)
        probed.append(
            Video(resolved, info.frame_count, info.fps, info.width, info.height, fingerprint_file(resolved))
        )
    with project.transaction():
        return [video if video.id is not None else project.videos.add(video) for video in probed]


def relink_video(project: Project, video_id: int, new_path: str | Path) -> Video:
    """Point a moved video at `new_path`, after checking it is the same content."""
    return project.videos.relink(video_id, new_path, fingerprint_file(new_path))


def find_moved_videos(project: Project, search_folder: str | Path) -> dict[int, Path]:
    """For each missing video, a file under `search_folder` with the same content, if any.
    Files with the video's name are checked first, so a big folder is scanned cheaply."""
    found: dict[int, Path] = {}
    missing = project.videos.missing()
    if not missing:
        return found
    candidates = [p for p in Path(search_folder).expanduser().rglob("*") if p.is_file()]
    for video in missing:
        name = Path(video.path).name
        ordered = sorted(candidates, key=lambda p: p.name != name)
        for candidate in ordered:
            if candidate.stat().st_size and fingerprint_file(candidate) == video.fingerprint:
                found[video.id] = candidate
                break
    return found
