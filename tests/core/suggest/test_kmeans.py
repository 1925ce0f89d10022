"""Visual-diversity suggestions: clustering picks, sequential sampling, pluggable features."""

from __future__ import annotations

import numpy as np
import pytest

from core.suggest import ThumbnailFeatures, kmeans_frames, pick_diverse, sample_indices, sampled_features
from core.suggest.kmeans import reduce_dimensions
from core.video import open_video

# Each scene of the `scenes_video` fixture (conftest.py) lasts this many frames.
SCENE_FRAMES = 30


def blobs(sizes: list[int], seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Tight clusters of points far apart in 10-D, and which cluster each point is in."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), 10)) * 20
    labels = np.repeat(np.arange(len(sizes)), sizes)
    return centres[labels] + rng.normal(size=(len(labels), 10)), labels


def test_one_representative_per_cluster_scored_by_cluster_share():
    points, labels = blobs([50, 30, 20])
    rows, scores = pick_diverse(points, 3)
    assert sorted(labels[rows]) == [0, 1, 2]
    share = dict(zip(labels[rows], scores))
    assert share == pytest.approx({0: 0.5, 1: 0.3, 2: 0.2})


def test_asking_for_more_than_there_are_points_returns_each_point_once():
    points, _ = blobs([4, 3])
    rows, scores = pick_diverse(points, 50)
    assert sorted(rows) == list(range(7)) and scores.sum() == pytest.approx(1.0)


def test_duplicates_still_give_distinct_rows():
    """Fewer distinct points than clusters would break k-means++ seeding."""
    points = np.repeat(np.eye(3), 10, axis=0)  # 3 distinct points, 10 copies each
    rows, _ = pick_diverse(points, 5)
    assert len(set(rows.tolist())) == 5
    assert {tuple(points[r]) for r in rows} == {tuple(p) for p in np.eye(3)}  # every look covered
    rows, _ = pick_diverse(np.zeros((8, 4)), 3)
    assert len(set(rows.tolist())) == 3


def test_picks_are_deterministic():
    points, _ = blobs([40, 40, 40, 40], seed=7)
    first = pick_diverse(points, 6)
    second = pick_diverse(points, 6)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])


def test_k_means_picks_one_frame_from_each_scene(scenes_video):
    with open_video(scenes_video) as reader:
        picks = kmeans_frames(reader, 3)
    scenes = sorted(index // SCENE_FRAMES for index, _ in picks)
    assert scenes == [0, 1, 2]
    assert [score for _, score in picks] == pytest.approx([1 / 3] * 3)


def test_sampling_fewer_frames_than_the_video_still_finds_each_scene(scenes_video):
    with open_video(scenes_video) as reader:
        picks = kmeans_frames(reader, 3, max_samples=15)
    assert sorted(index // SCENE_FRAMES for index, _ in picks) == [0, 1, 2]
    assert {index for index, _ in picks} <= set(sample_indices(90, 15).tolist())


def test_samples_are_read_in_one_forward_pass(scenes_video):
    """Never a backward seek: every read is at a later frame than the one before."""
    with open_video(scenes_video) as reader:
        reads: list[int] = []
        original = reader.read

        def spy(index: int, **kwargs) -> np.ndarray:
            reads.append(index)
            return original(index, **kwargs)

        reader.read = spy  # type: ignore[method-assign]
        features = sampled_features(reader, sample_indices(90, 20), ThumbnailFeatures(16), batch_size=6)
    assert features.shape == (20, 16 * 16) and features.dtype == np.float32
    assert len(reads) == 20 and all(b > a for a, b in zip(reads, reads[1:]))
    assert 0.0 <= features.min() and features.max() <= 1.0


def test_another_feature_extractor_plugs_in(scenes_video):
    """What a CNN-embedding extractor would do: any frames -> (B, D) function is enough."""
    batches: list[int] = []

    def mean_brightness(frames):
        batches.append(len(frames))
        return np.array([[frame.mean()] for frame in frames])

    with open_video(scenes_video) as reader:
        picks = kmeans_frames(reader, 3, extractor=mean_brightness)
    assert sum(batches) == 90 and len(picks) == 3


def test_an_extractor_returning_the_wrong_shape_is_a_clear_error(scenes_video):
    with open_video(scenes_video) as reader, pytest.raises(ValueError, match="one vector per frame"):
        kmeans_frames(reader, 3, extractor=lambda frames: np.zeros(len(frames)))


def test_bad_sample_counts_are_errors(scenes_video):
    with pytest.raises(ValueError):
        sample_indices(100, 0)
    with open_video(scenes_video) as reader, pytest.raises(ValueError):
        kmeans_frames(reader, 0)


def test_fast_pca_keeps_the_same_axes_as_an_exact_svd():
    rng = np.random.default_rng(3)
    data = rng.normal(size=(300, 12)) @ rng.normal(size=(12, 200)) + 0.01 * rng.normal(size=(300, 200))
    reduced = reduce_dimensions(data, 8)
    exact = np.linalg.svd(data - data.mean(axis=0), compute_uv=False)[:8]
    assert reduced.shape == (300, 8)
    assert np.linalg.norm(reduced, axis=0) == pytest.approx(exact, rel=1e-6)
    assert np.array_equal(reduced, reduce_dimensions(data, 8))  # deterministic
