"""Images on disk for the image-based formats (COCO, YOLO, DeepLabCut).

Reading: images an imported file names become frames of image-folder videos: the folder that
holds them is registered as a video, and an image's frame index is its place in the folder's
natural-order listing (the order `core.video.ImageFolderReader` reads them in).
Writing: the frames an export labels are written out as PNG files (copied as they are when the
video is already an image folder), named so that their natural order is the frame order.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import cv2

from core.domain import Video
from core.interchange.dataset import Dataset
from core.interchange.errors import InterchangeError, MalformedFileError
from core.video import VideoError, open_video
from core.video.fingerprint import list_images


class ImageIndex:
    """Maps image paths to (local video id, frame index) of a `Dataset`, one video per folder."""

    def __init__(self, dataset: Dataset, root: Path) -> None:
        self.dataset = dataset
        self.root = root.resolve()
        self._listings: dict[Path, dict[str, int]] = {}

    def locate(self, relative: str, source: Path, record: str, search: Iterable[Path] = ()) -> tuple[int, int]:
        """The (video id, frame index) of the image `relative` names, looked for under the root and
        the `search` folders; raises `MalformedFileError` for a missing image or one outside root."""
        relative = relative.replace("\\", "/")
        candidates = [self.root / relative] + [Path(folder) / relative for folder in search]
        candidates += [Path(folder) / Path(relative).name for folder in [self.root, *search]]
        for candidate in candidates:
            # Lexically, so "../" cannot leave the root but a symlinked image folder may.
            candidate = Path(os.path.normpath(candidate.absolute()))
            if not candidate.is_relative_to(self.root):
                raise MalformedFileError(source, f"image path {relative!r} leads outside {self.root}", record)
            if candidate.is_file():
                return self._frame(candidate, source, record)
        raise MalformedFileError(source, f"image {relative!r} is missing (looked under {self.root})", record)

    def _frame(self, image: Path, source: Path, record: str) -> tuple[int, int]:
        folder = image.parent
        if folder not in self._listings:
            self._listings[folder] = {p.name: i for i, p in enumerate(list_images(folder))}
        listing = self._listings[folder]
        if image.name not in listing:
            raise MalformedFileError(source, f"{image.name} is not an image Ethoframe reads (png, jpg, tif, bmp)", record)
        video_id = self.dataset.video_for_path(folder, frame_count=len(listing))
        return video_id, listing[image.name]


def image_size(path: Path) -> tuple[int, int]:
    """(width, height) of an image, reading only its header when Pillow is there."""
    try:
        from PIL import Image

        with Image.open(path) as image:
            return image.size
    except ImportError:
        image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        return image.shape[1], image.shape[0]


def safe_stem(video: Video) -> str:
    """A file-name-safe short name for a video (its folder or file name without suffix)."""
    name = video.name or Path(video.path).name
    stem = Path(name).stem if Path(video.path).is_file() or "." in name else name
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem) or f"video{video.id}"


def frame_names(dataset: Dataset) -> dict[tuple[int, int], str]:
    """A unique image name for every labelled (video id, frame index): `<video>_<frame>.png`
    (an image folder's own suffix when it is not PNG)."""
    stems: dict[int, str] = {}
    for video in dataset.videos:
        stem = safe_stem(video)
        stems[video.id] = stem if stem not in stems.values() else f"{stem}_{video.id}"
    suffixes: dict[int, list[str]] = {}
    for video in dataset.videos:
        if Path(video.path).is_dir():  # copied as they are, so they keep their own suffix
            suffixes[video.id] = [p.suffix.lower() for p in list_images(Path(video.path))]
    names = {}
    for v, f in sorted({(i.video_id, i.frame_index) for i in dataset.instances}):
        suffix = suffixes[v][f] if v in suffixes and f < len(suffixes[v]) else ".png"
        names[(v, f)] = f"{stems[v]}_{f:06d}{suffix}"
    return names


def write_frames(dataset: Dataset, names: dict[tuple[int, int], str], folder: Path, progress=None) -> None:
    """Write each named frame into `folder` (PNG, lossless). A video that cannot be read is an
    error naming it: image formats are useless without their images."""
    folder.mkdir(parents=True, exist_ok=True)
    videos = dataset.by_id("videos")
    done = 0
    for video_id in sorted({v for v, _ in names}):
        video = videos[video_id]
        wanted = sorted(f for v, f in names if v == video_id)
        try:
            if Path(video.path).is_dir():
                files = list_images(Path(video.path))
                for frame in wanted:
                    shutil.copyfile(files[frame], folder / names[(video_id, frame)])
            else:
                with open_video(video.path) as reader:
                    for frame in wanted:
                        image = cv2.cvtColor(reader.read(frame), cv2.COLOR_RGB2BGR)
                        cv2.imwrite(str(folder / names[(video_id, frame)]), image)
        except (VideoError, IndexError, OSError) as error:
            raise InterchangeError(f"cannot write the frames of {video.path}: {error}") from None
        done += len(wanted)
        if progress:
            progress(done, len(names))
