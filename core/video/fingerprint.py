"""Content fingerprints that let a project relink a video the user moved or renamed.

Hashing a whole multi-gigabyte video would take minutes, so the fingerprint covers the file
size plus its first and last MiB: container headers, the first frames and (for MP4) the
trailing `moov` index, which together differ between any two real recordings. An image
folder is fingerprinted by its image names and sizes, which survive a copy or move.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .errors import VideoError, VideoNotFoundError

CHUNK = 1 << 20  # 1 MiB

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})


def natural_key(name: str) -> list[object]:
    """Sort key so that `img2.png` comes before `img10.png` (digits compare as numbers)."""
    parts = re.split(r"(\d+)", name)
    # Tag each part with its kind so int and str never get compared with each other.
    return [(0, int(p), p) if p.isdigit() else (1, p.lower(), p) for p in parts]


def list_images(folder: Path) -> list[Path]:
    """The images of a folder in natural order (img2 before img10); hidden files skipped."""
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS and not p.name.startswith(".")
    ]
    return sorted(files, key=lambda p: natural_key(p.name))


def fingerprint_file(path: str | Path) -> str:
    """Hex sha256 of size + first and last MiB of a file, or of an image folder's names+sizes."""
    path = Path(path)
    if not path.exists():
        raise VideoNotFoundError(f"Cannot fingerprint {path}: it does not exist", path)
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            for image in list_images(path):
                digest.update(image.name.encode("utf-8", "surrogateescape"))
                digest.update(b"\0%d\n" % image.stat().st_size)
            return digest.hexdigest()
        size = path.stat().st_size
        digest.update(b"%d\n" % size)
        with open(path, "rb") as fh:
            digest.update(fh.read(CHUNK))
            if size > CHUNK:
                # Overlap with the head for files under 2 MiB is harmless and keeps it simple.
                fh.seek(max(size - CHUNK, 0), os.SEEK_SET)
                digest.update(fh.read(CHUNK))
    except OSError as exc:
        raise VideoError(f"Cannot fingerprint {path}: {exc}", path) from exc
    return digest.hexdigest()
