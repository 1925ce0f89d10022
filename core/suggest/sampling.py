"""Sampling frames over a whole video and turning them into feature vectors.

Samples are read in ascending order through the project's `VideoReader`, which keeps its
decoder open between reads: reaching the next sample decodes the frames in between without
converting them to RGB (grab-and-skip), and jumps forward to a keyframe only when the next
sample lies past one. The decoder never seeks backward, so long-GOP videos cost one pass of
decoding at most, never a GOP per sample as random seeks would.
"""

from __future__ import annotations

import numpy as np

from core.video import VideoReader
from core.runtime.cancel import CancelToken, ProgressCallback, check_cancel, report

from .features import FeatureExtractor
from .uniform import evenly_spaced

# Enough frames that a cluster of 0.1 % of the video still gets a couple of samples, few
# enough that PCA and k-means take about a second (an hour at 30 fps: every 54th frame).
DEFAULT_MAX_SAMPLES = 2000
# Frames handed to the extractor at once: bounds memory (full-size frames) while letting a
# future CNN extractor batch on the GPU. Progress is reported once per batch.
DEFAULT_BATCH_SIZE = 32


def sample_indices(frame_count: int, max_samples: int = DEFAULT_MAX_SAMPLES) -> np.ndarray:
    """Frames to sample: every frame of a short video, else `max_samples` evenly spaced."""
    if max_samples <= 0:
        raise ValueError(f"the number of frames to sample must be positive, not {max_samples}")
    return evenly_spaced(frame_count, max_samples)


def sampled_features(
    reader: VideoReader,
    indices: np.ndarray,
    extractor: FeatureExtractor,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """Features of frames `indices` (ascending) of `reader`: shape (len(indices), D) float32.

    Raises `core.runtime.cancel.Cancelled` as soon as `cancel` is set (checked before every frame,
    because the decoding between two samples of a long video can take a while).
    """
    indices = np.asarray(indices, dtype=np.int64)
    if indices.size and np.any(np.diff(indices) <= 0):
        raise ValueError("sample indices must be strictly ascending (one decoding pass)")
    total = int(indices.size)
    blocks: list[np.ndarray] = []
    batch: list[np.ndarray] = []
    report(progress, 0, total)
    for done, index in enumerate(indices, start=1):
        check_cancel(cancel, "frame suggestion")
        # cache=False: a sweep over the whole video must not evict the frames the user is on.
        batch.append(reader.read(int(index), cache=False))
        if len(batch) == batch_size or done == total:
            blocks.append(_extract(extractor, batch))
            batch = []
            report(progress, done, total)
    if not blocks:
        return np.zeros((0, 0), dtype=np.float32)
    return np.concatenate(blocks)


def _extract(extractor: FeatureExtractor, frames: list[np.ndarray]) -> np.ndarray:
    features = np.asarray(extractor(frames), dtype=np.float32)
    if features.ndim != 2 or features.shape[0] != len(frames):
        raise ValueError(
            f"a feature extractor must return one vector per frame, shape ({len(frames)}, D); "
            f"got {features.shape}"
        )
    return features
