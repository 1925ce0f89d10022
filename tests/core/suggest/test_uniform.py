"""Uniform suggestions: evenly spread, distinct, deterministic, clamped to the video."""

from __future__ import annotations

import numpy as np
import pytest

from core.suggest import evenly_spaced, suggest_frames, uniform_frames


def test_frames_sit_at_the_centres_of_equal_spans():
    assert uniform_frames(300, 3) == [50, 150, 250]
    assert uniform_frames(300, 10) == list(range(15, 300, 30))


@pytest.mark.parametrize("frame_count, n", [(1, 1), (7, 3), (1000, 7), (999, 998), (108_000, 2000)])
def test_frames_are_distinct_ascending_and_evenly_spaced(frame_count, n):
    frames = evenly_spaced(frame_count, n)
    assert len(frames) == n and frames[0] >= 0 and frames[-1] < frame_count
    gaps = np.diff(frames)
    assert np.all(gaps >= 1)
    assert gaps.size == 0 or gaps.max() - gaps.min() <= 1  # as even as whole frames allow


def test_more_frames_than_the_video_has_gives_every_frame():
    assert uniform_frames(5, 50) == [0, 1, 2, 3, 4]
    assert uniform_frames(0, 3) == [] and uniform_frames(10, 0) == []


def test_uniform_needs_no_video_file(project, video):
    """The `video` fixture's file does not exist: uniform works from the recorded frame count."""
    suggestions = suggest_frames(project, video.id, "uniform", 10)
    assert [s.frame_index for s in suggestions] == list(range(15, 300, 30))
    assert {(s.method, s.score, s.video_id) for s in suggestions} == {("uniform", None, video.id)}
    assert all(s.id is not None for s in suggestions)
