"""The behaviour probability strips: shown from a behaviour model's stored probabilities,
re-thresholded live without running the model, and applied as predicted events."""

from __future__ import annotations

import numpy as np
import pytest

from core.domain import Behaviour, ModelRecord
from core.ml.tasks.behaviour.store import VideoProbabilities, probabilities_path
from core.project import Project
from core.workflows.videos import add_videos
from gui.app import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture(params=[False], ids=["independent"])
def exclusive(request):
    return request.param


@pytest.fixture
def window(qtbot, tmp_path, tiny_video, exclusive):
    with Project.create(tmp_path / "p") as project:
        (video,) = add_videos(project, [tiny_video])
        walk, rest = project.behaviours.add(Behaviour("walk", "w")), project.behaviours.add(Behaviour("rest", "r"))
        model = project.models.add(ModelRecord("behaviour 1", "behaviour", "models/behaviour-001"))
        p_walk = np.array([0.9] * 8 + [0.55] * 4 + [0.1] * 8, dtype=np.float32)  # 20 frames
        probabilities = np.stack([p_walk, 1 - p_walk], axis=1)[None]  # (1 subject, 20, 2)
        VideoProbabilities(video.id, [walk.id, rest.id], ["walk", "rest"], [False, False], [None], probabilities,
                           exclusive=exclusive, n_exclusive=2 if exclusive else 0, min_duration=1, model_id=model.id,
                           ).save(probabilities_path(project, model, video.id))  # fmt: skip
    main = MainWindow(tmp_path / "p")
    qtbot.addWidget(main)
    main.show()
    return main


def test_strips_rethreshold_live_and_apply_as_events(qtbot, window, tmp_path):
    strips = window.panels.behaviour_strips
    assert strips.result is not None and strips.result.names == ["walk", "rest"]
    walk_bouts = lambda: [b for b in strips.result.bouts(0, strips.thresholds, strips.durations) if b.behaviour == 0]  # noqa: E731
    strips.select_row(0)
    strips.threshold.setValue(50)
    assert [(b.start, b.end) for b in walk_bouts()] == [(0, 11)]
    strips.threshold.setValue(80)  # live: no model run, the bout shrinks to the sure frames
    assert [(b.start, b.end) for b in walk_bouts()] == [(0, 7)]
    window.grab().save(str(tmp_path / "strips.png"))
    written = strips.apply()
    events = window.project.events.in_video(window.state.video_id, source="predicted")
    assert written == len(events) and any(e.start_frame == 0 and e.end_frame == 7 for e in events)


@pytest.mark.parametrize("exclusive", [True], ids=["exclusive"])
def test_an_exclusive_threshold_of_zero_reads_most_likely_wins(window):
    strips = window.panels.behaviour_strips
    strips.select_row(0)
    strips.threshold.setValue(0)
    assert strips.threshold_label.text() == "most likely (walk)"
    strips.threshold.setValue(60)
    assert strips.threshold_label.text() == "0.60 (walk)"


def test_a_frame_classifier_and_a_behaviour_model_each_have_their_strips_and_events(qtbot, tmp_path, tiny_video):
    from core.domain import BehaviourEvent

    with Project.create(tmp_path / "two") as project:
        (video,) = add_videos(project, [tiny_video])
        walk, rest = project.behaviours.add(Behaviour("walk", "w")), project.behaviours.add(Behaviour("rest", "r"))
        p_walk = np.array([0.9] * 8 + [0.55] * 4 + [0.1] * 8, dtype=np.float32)
        for n, (task, subject) in enumerate((("behaviour", 7), ("classify", None))):
            model = project.models.add(ModelRecord(f"{task} {n + 1}", task, f"models/{task}-00{n + 1}"))
            probabilities = np.stack([p_walk, 1 - p_walk], axis=1)[None]
            VideoProbabilities(video.id, [walk.id, rest.id], ["walk", "rest"], [False, False], [subject], probabilities,
                               exclusive=False, n_exclusive=0, min_duration=1, model_id=model.id,
                               ).save(probabilities_path(project, model, video.id))  # fmt: skip
        behaviour_id = project.models.newest("behaviour").id
        project.events.add(BehaviourEvent(video.id, walk.id, 0, 5, None, source="predicted", model_id=behaviour_id))
    window = MainWindow(tmp_path / "two")
    qtbot.addWidget(window)
    window.show()
    strips = window.panels.behaviour_strips
    assert strips.model_box.count() == 2 and strips.model_box.isVisible()
    assert strips.task == "behaviour" and strips.result.model_id == behaviour_id  # the behaviour model's first
    strips.model_box.setCurrentIndex(1)
    classify = window.project.models.newest("classify")
    assert strips.task == "classify" and strips.result.model_id == classify.id and strips.result.subjects == [None]
    assert strips.subject_box.itemText(0) == "whole frame"
    written = strips.apply()
    events = window.project.events.in_video(window.state.video_id, source="predicted")
    assert written == sum(e.model_id == classify.id for e in events) > 0
    assert [e.model_id for e in events if e.model_id != classify.id] == [behaviour_id]  # the behaviour model's stays
