"""Visual-diversity suggestions: k-means over frames sampled from a video, as SLEAP and
DeepLabCut do.

Frames are sampled evenly over the whole video (`sampling.py`), each becomes a feature vector
(`features.py`: a small grayscale thumbnail by default), PCA keeps the main axes of variation,
and k-means groups the samples into N clusters. The sampled frame nearest each cluster's
centre is suggested, so N suggestions cover N different "looks" of the video rather than
N moments of its most common look. Each suggestion's score is its share of the samples that
look more like it than like any other suggestion: a rough "how much of the video this frame
stands for".
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.cluster.vq import kmeans2
from scipy.spatial.distance import cdist

from core.video import VideoReader
from core.runtime.cancel import CancelToken, ProgressCallback

from .features import FeatureExtractor, ThumbnailFeatures
from .sampling import DEFAULT_MAX_SAMPLES, sample_indices, sampled_features

DEFAULT_SEED = 0
# Thumbnails of lab videos vary along few axes (animal position, pose, lighting); 32
# components keep almost all of it and make k-means cheap.
MAX_COMPONENTS = 32
KMEANS_ITERATIONS = 20
PCA_OVERSAMPLING = 10
PCA_POWER_ITERATIONS = 4


def kmeans_frames(
    reader: VideoReader,
    n: int,
    *,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    extractor: FeatureExtractor | None = None,
    seed: int = DEFAULT_SEED,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[tuple[int, float]]:
    """Up to `n` visually diverse frames of `reader` as (frame index, score), ascending.

    Samples `max(max_samples, n)` frames (all frames of a shorter video), so asking for more
    suggestions than `max_samples` still has enough frames to choose from. Deterministic for
    a given video, `n`, `max_samples`, extractor and `seed`. Progress counts sampled frames.
    """
    if n <= 0:
        raise ValueError(f"the number of suggestions must be positive, not {n}")
    indices = sample_indices(reader.frame_count, max(max_samples, n))
    features = sampled_features(
        reader, indices, extractor or ThumbnailFeatures(), progress=progress, cancel=cancel
    )
    rows, scores = pick_diverse(features, n, seed=seed)
    return sorted((int(indices[row]), float(score)) for row, score in zip(rows, scores))


def pick_diverse(
    features: np.ndarray, n: int, *, seed: int = DEFAULT_SEED, components: int = MAX_COMPONENTS
) -> tuple[np.ndarray, np.ndarray]:
    """Choose `min(n, len(features))` distinct rows of `features` (S, D) that cover it best.

    Returns (rows, scores): row numbers into `features`, and each chosen row's share of the
    S rows (the scores sum to 1): the size of its k-means cluster, or, when k-means could not
    give n clusters (too few distinct rows), of the rows nearest to it among the chosen ones.
    """
    if n <= 0:
        raise ValueError(f"the number of suggestions must be positive, not {n}")
    features = np.asarray(features)
    if len(features) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    n = min(n, len(features))
    points = reduce_dimensions(features, components, seed=seed)
    # k-means++ cannot seed more clusters than there are different points (its sampling
    # probabilities become 0/0): a static video yields few distinct thumbnails.
    distinct = len(np.unique(features, axis=0))
    chosen, sizes = _cluster_representatives(points, min(n, distinct), seed)
    if len(chosen) == n:
        return np.asarray(chosen, dtype=np.int64), np.asarray(sizes) / len(points)
    rows = np.asarray(_farthest_point_fill(points, chosen, n), dtype=np.int64)
    # Not the k-means clusters any more: let each chosen row stand for the rows nearest it.
    nearest = cdist(points, points[rows], metric="sqeuclidean").argmin(axis=1)
    return rows, np.bincount(nearest, minlength=len(rows)) / len(points)


def reduce_dimensions(
    features: np.ndarray, components: int = MAX_COMPONENTS, *, seed: int = DEFAULT_SEED
) -> np.ndarray:
    """PCA: `features` (S, D) projected on its first `components` principal axes, (S, c).

    Randomized SVD (Halko, Martinsson & Tropp 2011, as scikit-learn's PCA does for large
    inputs): a full SVD of 2000 x 1024 thumbnails computes ~1000 axes to keep 32 and took
    seconds on a busy laptop; this takes a few small matrix products. A fixed seed keeps it
    deterministic; the axes' signs do not matter to k-means distances.
    """
    data = np.asarray(features, dtype=np.float64)
    centred = data - data.mean(axis=0)
    smaller = min(centred.shape)
    keep = max(1, min(components, smaller))
    width = keep + PCA_OVERSAMPLING
    if width >= smaller:
        u, s, _ = np.linalg.svd(centred, full_matrices=False)  # small input: exact is cheap
        return u[:, :keep] * s[:keep]
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(centred @ rng.standard_normal((centred.shape[1], width)))
    for _ in range(PCA_POWER_ITERATIONS):
        # Power iterations sharpen the basis towards the top axes when the spectrum decays slowly.
        basis, _ = np.linalg.qr(centred.T @ basis)
        basis, _ = np.linalg.qr(centred @ basis)
    u, s, _ = np.linalg.svd(basis.T @ centred, full_matrices=False)
    return (basis @ u[:, :keep]) * s[:keep]


def _cluster_representatives(points: np.ndarray, k: int, seed: int) -> tuple[list[int], list[int]]:
    """For each non-empty k-means cluster, largest first: the member nearest its centre, and
    the cluster's size."""
    if k <= 1:
        return ([_nearest_to_mean(points)], [len(points)]) if k == 1 else ([], [])
    try:
        # Empty clusters are handled below (the fill step replaces them), so scipy's warning
        # about them would only be noise. catch_warnings is process-wide before Python 3.14;
        # the worst a concurrent thread can suffer is one warning hidden.
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore")
            centres, labels = kmeans2(
                points, k, iter=KMEANS_ITERATIONS, minit="++", missing="warn", rng=np.random.default_rng(seed)
            )
    except ValueError:
        # Points distinct in the raw features can coincide after PCA, which k-means++ cannot
        # seed from; farthest-point selection still gives a diverse, deterministic set.
        return [], []
    sizes = np.bincount(labels, minlength=k)
    chosen: list[int] = []
    chosen_sizes: list[int] = []
    for cluster in np.argsort(-sizes, kind="stable"):
        if sizes[cluster] == 0:
            continue
        members = np.flatnonzero(labels == cluster)
        distances = ((points[members] - centres[cluster]) ** 2).sum(axis=1)
        chosen.append(int(members[np.argmin(distances)]))
        chosen_sizes.append(int(sizes[cluster]))
    return chosen, chosen_sizes


def _farthest_point_fill(points: np.ndarray, chosen: list[int], n: int) -> list[int]:
    """Add the point farthest from all chosen ones until there are `n` (max-min diversity)."""
    chosen = list(chosen) or [_nearest_to_mean(points)]
    if len(chosen) >= n:
        return chosen[:n]
    gap = cdist(points, points[chosen], metric="sqeuclidean").min(axis=1)
    gap[chosen] = -1.0  # never pick a row twice, even among exact duplicates
    while len(chosen) < n:
        row = int(np.argmax(gap))
        chosen.append(row)
        gap = np.minimum(gap, ((points - points[row]) ** 2).sum(axis=1))
        gap[chosen] = -1.0
    return chosen


def _nearest_to_mean(points: np.ndarray) -> int:
    """The most typical point: what one cluster's representative would be."""
    return int(np.argmin(((points - points.mean(axis=0)) ** 2).sum(axis=1)))
