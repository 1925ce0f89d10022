"""Where an exporter whose file holds one video writes each video: `out` itself when it is a
file name and one video is exported, else `<out>/<video stem><suffix>` per video."""

from __future__ import annotations

from pathlib import Path

from core.interchange.errors import InterchangeError


def files_per_video(out: Path, video_ids: list[int], videos: dict, suffix: str, refusal: str) -> dict[int, Path]:
    """{video id: file} for `video_ids`; several videos into one file name raise
    `InterchangeError`: `refusal` with `{n}` (how many videos) and `{names}` filled in."""
    into_folder = out.is_dir() or not out.suffix
    if not into_folder and len(video_ids) > 1:
        names = ", ".join(videos[v].display_name for v in video_ids)
        raise InterchangeError(refusal.format(n=len(video_ids), names=names))
    return {v: out / f"{Path(videos[v].display_name).stem}{suffix}" if into_folder else out for v in video_ids}
