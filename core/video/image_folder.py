"""A folder of images (png, jpg, tif, bmp) read as a video, frame N being the N-th image.

Images are sorted naturally (img2 before img10), the order every microscope and camera
exporter means. Every image is an independent keyframe, so random access is one image read;
OpenCV decodes without holding the GIL, so the prefetch thread overlaps with the GUI.
Grey and 16-bit images become 8-bit RGB so downstream code sees one frame format.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .base import DEFAULT_CACHE_MB, VideoReader
from .errors import VideoCorruptError, VideoNotFoundError
from .fingerprint import list_images

DEFAULT_IMAGE_FPS = 30.0


def to_rgb8(image: np.ndarray) -> np.ndarray:
    """Any OpenCV-decoded image (grey, BGR, BGRA; 8 or 16 bit) as (H, W, 3) uint8 RGB."""
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)  # keep the top 8 bits, as viewers display them
    elif image.dtype != np.uint8:
        image = cv2.normalize(image, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    if image.shape[2] == 1:
        return cv2.cvtColor(image[:, :, 0], cv2.COLOR_GRAY2RGB)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def read_image(path: Path) -> np.ndarray:
    """Decode one image file; raise typed errors naming it."""
    try:
        # np.fromfile + imdecode, unlike imread, handles non-ASCII paths on Windows.
        data = np.fromfile(str(path), dtype=np.uint8)
    except FileNotFoundError as exc:
        raise VideoNotFoundError(f"Image not found (moved or deleted?): {path}", path) from exc
    except OSError as exc:
        raise VideoCorruptError(f"Cannot read image {path}: {exc}", path) from exc
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise VideoCorruptError(f"{path} is not a readable image (damaged or empty)", path)
    return to_rgb8(image)


class ImageFolderReader(VideoReader):
    """Frames from the images of one folder, in natural order."""

    def __init__(
        self, path: str | Path, *, cache_mb: float = DEFAULT_CACHE_MB, fps: float = DEFAULT_IMAGE_FPS
    ) -> None:
        super().__init__(Path(path), cache_mb)
        if not self.path.is_dir():
            raise VideoNotFoundError(f"Image folder not found: {self.path}", self.path)
        self.files = list_images(self.path)
        if not self.files:
            raise VideoCorruptError(f"{self.path} contains no images (png, jpg, tif, bmp)", self.path)
        first = read_image(self.files[0])
        self.height, self.width = first.shape[:2]
        self.frame_count = len(self.files)
        self.fps = float(fps)
        self.codec = "images"
        self.cache.put(0, first)

    def _decode(self, index: int, cache: bool) -> np.ndarray:
        path = self.files[index]
        frame = read_image(path)
        if frame.shape[:2] != (self.height, self.width):
            raise VideoCorruptError(
                f"{path} is {frame.shape[1]}x{frame.shape[0]}, but the folder's first image is "
                f"{self.width}x{self.height}: all images of a folder video must be the same size",
                path,
            )
        return self.cache.put(index, frame) if cache else frame

    def _close(self) -> None:
        pass  # no file stays open between reads
