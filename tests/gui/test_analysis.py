"""Whole-video analyses off the GUI thread: only the newest request is answered, a failure is
reported (not raised), and a big one runs in the helper process with the same answer."""

from __future__ import annotations

import pytest

from core.domain import Box, Instance, Track
from core.project import Project
from core.tracking.overview import video_overview
from core.workflows.videos import add_videos
from gui.analysis import LatestAnalysis

pytestmark = pytest.mark.gui


@pytest.fixture
def tracked(tmp_path, tiny_video):
    project = Project.create(tmp_path / "p")
    (video,) = add_videos(project, [tiny_video])
    track = project.tracks.add(Track("a"))
    project.instances.add_many(
        Instance(video.id, f, track_id=track.id, box=Box(f, 5, f + 10, 15), source="predicted", score=0.9) for f in range(20) if f != 7
    )
    yield project, video
    project.close()


def test_only_the_newest_request_is_answered(qtbot, tracked):
    project, video = tracked
    analysis = LatestAnalysis(delay_ms=50)
    answers = []
    analysis.ready.connect(answers.append)
    analysis.request(lambda p, n: n, project, 1)
    analysis.request(lambda p, n: n, project, 2)  # within the delay: replaces the first
    qtbot.waitUntil(lambda: not analysis.busy)
    assert answers == [2]


def test_a_failure_is_reported_not_raised(qtbot, tracked):
    project, _video = tracked
    analysis = LatestAnalysis()
    with qtbot.waitSignal(analysis.failed) as failed:
        analysis.request(video_overview, project, 999, now=True)  # no such video (deleted meanwhile)
    assert "999" in failed.args[0] and not analysis.busy


def test_a_big_analysis_runs_in_the_helper_process_with_the_same_answer(qtbot, tracked):
    project, video = tracked
    here = video_overview(project, video.id)
    assert [lane.runs for lane in here.lanes] == [[(0, 6), (8, 19)]]
    analysis = LatestAnalysis()
    with qtbot.waitSignal(analysis.ready, timeout=60_000) as ready:
        analysis.request(video_overview, project, video.id, now=True, big=True)
    assert ready.args[0] == here
