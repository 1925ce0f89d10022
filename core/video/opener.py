"""The front door of the video engine: `open_video` and `probe_video`.

Picks the reader for a path (a folder of images or a video file), and attaches a seek-friendly
proxy when one is given or found in a `ProxyCache` (see `proxy.py` for the exactness choice).
"""

from __future__ import annotations

from pathlib import Path

from .base import DEFAULT_CACHE_MB, VideoInfo, VideoReader
from .errors import VideoCorruptError, VideoNotFoundError
from .image_folder import DEFAULT_IMAGE_FPS, ImageFolderReader
from .proxy import PROXY_CACHE_MB, ProxyCache, read_report
from .pyav_reader import PyAVReader


def open_video(
    path: str | Path,
    *,
    proxy: "str | Path | ProxyCache | None" = None,
    cache_mb: float = DEFAULT_CACHE_MB,
    index_cache_dir: str | Path | None = None,
    threads: bool = True,
    image_fps: float = DEFAULT_IMAGE_FPS,
) -> VideoReader:
    """Open a video file or an image folder for frame-accurate random access.

    proxy: a proxy file made by `make_proxy`, or a `ProxyCache` to look one up in. When a
        proxy exists, `read_preview` uses it; `read` uses it only if it was verified
        pixel-identical (lossless), so `read` always returns the original's exact pixels.
    cache_mb: size of the decoded-frame LRU cache.
    index_cache_dir: where to keep the packet index between sessions (None: rebuild).
    image_fps: the frame rate reported for an image folder.
    """
    path = Path(path)
    if not path.exists():
        raise VideoNotFoundError(f"Video not found: {path}", path)
    if path.is_dir():
        return ImageFolderReader(path, cache_mb=cache_mb, fps=image_fps)
    if not path.is_file():  # a pipe would block the decoder forever, a device has no end
        raise VideoCorruptError(f"{path} is not a regular file (a pipe, device or socket): a video must be a file or an image folder", path)
    reader = PyAVReader(path, cache_mb=cache_mb, index_cache_dir=index_cache_dir, threads=threads)
    proxy_path = proxy.lookup(path) if isinstance(proxy, ProxyCache) else proxy
    if proxy_path is not None and Path(proxy_path).exists():
        try:
            report = read_report(Path(proxy_path))
            exact = report is not None and report.max_abs_diff == 0
            # Previews are looked at once while scrubbing: a small cache is enough.
            proxy_reader = PyAVReader(proxy_path, cache_mb=PROXY_CACHE_MB, threads=threads)
            reader.attach_proxy(proxy_reader, exact=exact)
        except Exception:
            reader.close()
            raise
    return reader


def probe_video(path: str | Path, *, index_cache_dir: str | Path | None = None) -> VideoInfo:
    """Metadata with the exact frame count (builds the packet index; decodes no frame)."""
    with open_video(path, cache_mb=64, index_cache_dir=index_cache_dir) as reader:
        return reader.info
