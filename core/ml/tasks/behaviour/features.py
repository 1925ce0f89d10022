"""Per-frame video features, computed once per video and cached on disk.

Whole frame: the pretrained backbone's globally pooled stride-32 features (c5) of the frame
shrunk to `frame_size` on its long side, plus an 8x8 grid of motion energy (mean absolute grey
difference with the previous frame). Per subject: the same on a square crop around the
subject's box (`crop_size` pixels, `crop_scale` times the box), with a 4x4 motion grid and a
"missing" column where the subject's position is unknown. With `diff="cnn"` the backbone also
embeds the difference image (DeepEthogram feeds motion to its network the same way).

Features are cached as float16 `.npy` files in `models/.features/` named by a fingerprint of
the video's content, the feature settings and (for crops) the subject's positions, so
retraining the head after more events costs no pass over the video; new predicted positions
make a new crop file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import torch

from core.ml.tasks.behaviour.config import BehaviourConfig
from core.ml.tasks.behaviour.positions import SubjectTrack
from core.runtime.cancel import CancelToken, ProgressCallback, check_cancel
from core.video import open_video

FRAME_GRID, CROP_GRID, BATCH = 8, 4, 32


def frame_dims(config: BehaviourConfig, channels: int = 320) -> int:
    cnn = channels * (2 if config.diff == "cnn" else 1)
    return cnn + (FRAME_GRID**2 if config.diff != "none" else 0)


def crop_dims(config: BehaviourConfig, channels: int = 320) -> int:
    cnn = channels * (2 if config.diff == "cnn" else 1)
    return cnn + (CROP_GRID**2 if config.diff != "none" else 0) + 1


def features_folder(project) -> Path:
    return project.folder / "models" / ".features"


def fingerprint(video, config: BehaviourConfig, kind: str, extra: bytes = b"") -> str:
    digest = hashlib.sha256(json.dumps([video.fingerprint, video.frame_count, kind, config.feature_key()]).encode())
    digest.update(extra)
    return digest.hexdigest()[:24]


def _grid_energy(current: np.ndarray, previous: np.ndarray, grid: int) -> np.ndarray:
    diff = np.abs(current.astype(np.float32) - previous.astype(np.float32)) / 255.0
    return cv2.resize(diff, (grid, grid), interpolation=cv2.INTER_AREA).reshape(-1)


def _square_crop(frame: np.ndarray, box: np.ndarray, scale: float, size: int) -> np.ndarray:
    x1, y1, x2, y2 = box
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    half = max(x2 - x1, y2 - y1, 8.0) * scale / 2
    matrix = np.array([[size / (2 * half), 0, size / 2 - cx * size / (2 * half)],
                       [0, size / (2 * half), size / 2 - cy * size / (2 * half)]], np.float32)  # fmt: skip
    return cv2.warpAffine(frame, matrix, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT)


class _Embedder:
    """Batches images through the backbone and returns pooled c5 features."""

    def __init__(self, backbone: torch.nn.Module) -> None:
        self.backbone = backbone

    @torch.inference_mode()
    def __call__(self, images: list[np.ndarray]) -> np.ndarray:
        out = []
        for start in range(0, len(images), BATCH):
            batch = torch.from_numpy(np.stack(images[start : start + BATCH])).permute(0, 3, 1, 2).float() / 255.0
            out.append(self.backbone(batch)["c5"].mean(dim=(2, 3)).numpy())
        return np.concatenate(out) if out else np.zeros((0, 320), np.float32)


def load_backbone(config: BehaviourConfig) -> torch.nn.Module:
    from core.ml.backbones import build_backbone

    # No fallback: features of another backbone cached under this one's name would be read by
    # models trained on this one's (the note saying so was dropped here).
    backbone, _ = build_backbone(config.backbone, pretrained=True)
    return backbone.eval()


class VideoFeatures:
    """Computes (or reads from the cache) a video's frame features and its subjects' crop features."""

    def __init__(self, project, config: BehaviourConfig, backbone: torch.nn.Module | None = None) -> None:
        self.project, self.config = project, config
        self._backbone = backbone
        self.computed: list[str] = []  # cache files written by this object (tests check reuse)

    @property
    def backbone(self) -> torch.nn.Module:
        if self._backbone is None:
            self._backbone = load_backbone(self.config)
        return self._backbone

    def _path(self, name: str) -> Path:
        return features_folder(self.project) / f"{name}.npy"

    def get(self, video_id: int, subjects: list[SubjectTrack], progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """(frame features (F, frame_dims) float32, {track id: crop features (F, crop_dims)})."""
        video = self.project.videos.get(video_id)
        frame_path = self._path(fingerprint(video, self.config, "frame"))
        crop_paths = {s.track_id: self._path(fingerprint(video, self.config, "crop", s.digest())) for s in subjects}
        need_frame = not frame_path.is_file()
        need_crops = [s for s in subjects if not crop_paths[s.track_id].is_file()]
        if need_frame or need_crops:
            self._compute(video, frame_path if need_frame else None, [(s, crop_paths[s.track_id]) for s in need_crops], progress, cancel)
        frame = np.load(frame_path).astype(np.float32)
        crops = {track: np.load(path).astype(np.float32) for track, path in crop_paths.items()}
        return frame, crops

    def _compute(self, video, frame_path: Path | None, crops: list[tuple[SubjectTrack, Path]], progress: ProgressCallback | None, cancel: CancelToken | None) -> None:
        config, n = self.config, video.frame_count
        embed = _Embedder(self.backbone)
        cnn_diff = config.diff == "cnn"
        frame_out = np.zeros((n, frame_dims(config)), np.float16) if frame_path else None
        crop_out = [np.zeros((n, crop_dims(config)), np.float16) for _ in crops]
        for subject_out, (subject, _) in zip(crop_out, crops):
            subject_out[:, -1] = (~subject.known).astype(np.float16)
        scale: float | None = None
        previous: np.ndarray | None = None
        previous_crops: list[np.ndarray | None] = [None] * len(crops)
        pending: list[tuple[str, int, int, np.ndarray]] = []  # (what, which, frame, image)

        def flush() -> None:
            if not pending:
                return
            for shape in {item[3].shape for item in pending}:  # frames and crops differ in size
                same = [item for item in pending if item[3].shape == shape]
                vectors = embed([image for *_, image in same])
                for (what, which, frame, _), vector in zip(same, vectors):
                    target = frame_out if which < 0 else crop_out[which]
                    offset = vector.shape[0] if what == "diff" else 0
                    target[frame, offset : offset + vector.shape[0]] = vector
            pending.clear()

        with open_video(video.path, cache_mb=16) as reader:
            for index in range(n):
                check_cancel(cancel, "behaviour feature extraction")  # nothing partial is cached
                rgb = np.array(reader.read(index, cache=False))
                if scale is None:
                    scale = config.frame_size / max(rgb.shape[:2])
                if frame_out is not None:
                    small = cv2.resize(rgb, (max(32, round(rgb.shape[1] * scale)), max(32, round(rgb.shape[0] * scale))), interpolation=cv2.INTER_AREA)
                    pending.append(("image", -1, index, small))
                    if config.diff != "none":
                        before = small if previous is None else previous
                        energy = _grid_energy(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), cv2.cvtColor(before, cv2.COLOR_RGB2GRAY), FRAME_GRID)
                        frame_out[index, -FRAME_GRID**2 :] = energy
                        if cnn_diff:
                            pending.append(("diff", -1, index, np.abs(small.astype(np.int16) - before.astype(np.int16)).astype(np.uint8)))
                    previous = small
                for k, (subject, _) in enumerate(crops):
                    if not subject.known[index]:
                        previous_crops[k] = None
                        continue
                    crop = _square_crop(rgb, subject.boxes[index], config.crop_scale, config.crop_size)
                    pending.append(("image", k, index, crop))
                    if config.diff != "none":
                        before = crop if previous_crops[k] is None else _square_crop(previous_crops[k], subject.boxes[index], config.crop_scale, config.crop_size)
                        energy = _grid_energy(cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY), cv2.cvtColor(before, cv2.COLOR_RGB2GRAY), CROP_GRID)
                        crop_out[k][index, -1 - CROP_GRID**2 : -1] = energy
                        if cnn_diff:
                            pending.append(("diff", k, index, np.abs(crop.astype(np.int16) - before.astype(np.int16)).astype(np.uint8)))
                    previous_crops[k] = rgb
                if len(pending) >= BATCH:
                    flush()
                if progress is not None and (index % 50 == 0 or index == n - 1):
                    progress(index + 1, n)
        flush()
        features_folder(self.project).mkdir(parents=True, exist_ok=True)
        for path, array in [(frame_path, frame_out)] + [(p, a) for (_, p), a in zip(crops, crop_out)]:
            if path is not None and array is not None:
                partial = path.with_name(path.name + ".partial.npy")
                np.save(partial, array)
                partial.replace(path)
                self.computed.append(path.name)
