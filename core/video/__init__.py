"""The video engine: frame-accurate, fast random access to lab videos and image folders.

Frame N shown in the GUI, trained on and predicted must be the same pixels (DESIGN.md,
"Video"), so every reader defines frame N as the N-th frame of plain sequential decoding and
seeks through a keyframe index to get there fast. Pure Python: no Qt here; the GUI drives
`FramePrefetcher` and turns its callbacks into signals.

    with open_video("fly.mp4") as video:
        frame = video.read(250)          # (H, W, 3) uint8 RGB, read-only
"""

from .base import VideoInfo, VideoReader
from .errors import (
    UnsupportedCodecError,
    VideoCorruptError,
    VideoError,
    VideoNotFoundError,
)
from .fingerprint import fingerprint_file
from .image_folder import ImageFolderReader
from .opener import open_video, probe_video
from .prefetch import FramePrefetcher
from .proxy import ProxyCache, ProxyReport, make_proxy
from .pyav_reader import PyAVReader
from .thumbnails import Thumbnail, thumbnails

__all__ = [
    "FramePrefetcher",
    "ImageFolderReader",
    "ProxyCache",
    "ProxyReport",
    "PyAVReader",
    "Thumbnail",
    "UnsupportedCodecError",
    "VideoCorruptError",
    "VideoError",
    "VideoInfo",
    "VideoNotFoundError",
    "VideoReader",
    "fingerprint_file",
    "make_proxy",
    "open_video",
    "probe_video",
    "thumbnails",
]
