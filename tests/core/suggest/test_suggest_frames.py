"""`suggest_frames`: what ends up in the project, replace semantics, progress, cancel, errors."""

from __future__ import annotations

import threading

import pytest

from core.project import Project
from core.project.errors import NotFoundError
from core.runtime.cancel import Cancelled
from core.suggest import suggest_frames
from core.video import VideoNotFoundError
from core.workflows.videos import add_videos

# Each scene of the `scenes_video` fixture (conftest.py) lasts this many frames.
SCENE_FRAMES = 30


def stored(project: Project, video_id: int, method: str) -> list[int]:
    return [s.frame_index for s in project.suggestions.for_video(video_id) if s.method == method]


def test_kmeans_suggestions_are_stored_with_their_reason_and_score(scenes_project):
    project, video_id = scenes_project
    suggestions = suggest_frames(project, video_id, "kmeans", 3)
    assert sorted(s.frame_index // SCENE_FRAMES for s in suggestions) == [0, 1, 2]
    assert project.suggestions.for_video(video_id) == suggestions
    assert all(s.method == "kmeans" and 0 < s.score <= 1 and s.id is not None for s in suggestions)


def test_a_new_run_replaces_only_that_methods_suggestions(scenes_project):
    project, video_id = scenes_project
    suggest_frames(project, video_id, "uniform", 10)
    kmeans = [s.frame_index for s in suggest_frames(project, video_id, "kmeans", 3)]
    suggest_frames(project, video_id, "uniform", 3)
    assert stored(project, video_id, "uniform") == [15, 45, 75]
    assert stored(project, video_id, "kmeans") == kmeans


def test_more_suggestions_than_frames_is_clamped(tmp_path, project, tiny_video):
    (video,) = add_videos(project, [tiny_video])  # 20 frames
    for method in ("uniform", "kmeans"):
        suggestions = suggest_frames(project, video.id, method, 50)
        assert sorted(s.frame_index for s in suggestions) == list(range(20)), method


def test_a_static_video_still_gets_n_distinct_frames(project, static_video):
    (video,) = add_videos(project, [static_video])
    frames = [s.frame_index for s in suggest_frames(project, video.id, "kmeans", 5)]
    assert len(set(frames)) == 5


def test_progress_counts_sampled_frames_up_to_the_total(scenes_project):
    project, video_id = scenes_project
    calls: list[tuple[int, int]] = []
    suggest_frames(project, video_id, "kmeans", 3, progress=lambda *call: calls.append(call), max_samples=40)
    assert calls[0] == (0, 40) and calls[-1] == (40, 40)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_cancel_stops_the_work_and_keeps_the_earlier_suggestions(scenes_project):
    project, video_id = scenes_project
    before = [s.frame_index for s in suggest_frames(project, video_id, "kmeans", 4)]
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done > 0:
            cancel.set()  # as the GUI's Cancel button would, from another thread

    with pytest.raises(Cancelled):
        suggest_frames(project, video_id, "kmeans", 2, progress=progress, cancel=cancel)
    assert max(seen) < 90  # stopped during sampling, not after it
    assert stored(project, video_id, "kmeans") == before


def test_a_token_already_set_changes_nothing(scenes_project):
    project, video_id = scenes_project
    cancel = threading.Event()
    cancel.set()
    for method in ("uniform", "kmeans"):
        with pytest.raises(Cancelled):
            suggest_frames(project, video_id, method, 3, cancel=cancel)
    assert project.suggestions.for_video(video_id) == []


def test_bad_requests_are_clear_errors(project, video):
    with pytest.raises(NotFoundError, match="no video with id 999"):
        suggest_frames(project, 999, "uniform", 3)
    for n in (0, -4):
        with pytest.raises(ValueError, match="positive"):
            suggest_frames(project, video.id, "uniform", n)
    with pytest.raises(ValueError, match="not computed from the video"):
        suggest_frames(project, video.id, "uncertainty", 3)
    with pytest.raises(ValueError, match="unknown suggestion method 'random'"):
        suggest_frames(project, video.id, "random", 3)
    assert project.suggestions.for_video(video.id) == []


def test_kmeans_on_a_missing_video_file_says_which_file(project, video):
    with pytest.raises(VideoNotFoundError, match="arena.mp4"):
        suggest_frames(project, video.id, "kmeans", 3)


def test_real_video_of_two_flies(project, shared_data):
    (video,) = add_videos(project, [shared_data / "sleap" / "centered_pair_low_quality.mp4"])
    suggestions = suggest_frames(project, video.id, "kmeans", 8, max_samples=100)
    frames = [s.frame_index for s in suggestions]
    assert len(set(frames)) == 8 and all(0 <= f < video.frame_count for f in frames)
    assert sum(s.score for s in suggestions) == pytest.approx(1.0)
