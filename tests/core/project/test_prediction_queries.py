"""The store's queries for prediction runs and their review: each answers what its name says and
changes only what it should (run on SQLite and on PostgreSQL, see tests/conftest.py)."""

from __future__ import annotations

import pytest

from core.domain import BehaviourEvent, Box, Instance, ModelRecord, Video


def _prediction(video_id, frame, model_id=None, origin=None, score=0.5, **fields):
    return Instance(video_id, frame, box=Box(0, 0, 10, 10), source="predicted", score=score, model_id=model_id,
                    origin=origin, **fields)  # fmt: skip


@pytest.fixture
def models(project):
    return [project.models.add(ModelRecord(f"m{k}", "detect", f"models/m{k}", {}, {})) for k in (1, 2)]


def _rows(project, video_id):
    """(frame, source, model, origin, score) of every instance of the video, sorted."""
    found = project.instances.on_frames(video_id, 0, 10**6)
    return _sorted((i.frame_index, i.source, i.model_id, i.origin, i.score) for f in found.values() for i in f)


def _sorted(rows):
    return sorted(rows, key=lambda row: tuple((x is not None, str(x)) for x in row))


def test_frames_predicted_by_names_only_that_models_predicted_frames(project, video, models):
    one, two = models
    project.instances.add_many([_prediction(video.id, f, one.id) for f in (1, 2, 2, 5)])
    project.instances.add_many([_prediction(video.id, 7, two.id), _prediction(video.id, 8, origin="coco:x.json")])
    project.instances.add(Instance(video.id, 9, box=Box(0, 0, 1, 1), model_id=one.id))  # accepted: a user label now
    assert project.instances.frames_predicted_by(video.id, one.id) == {1, 2, 5}
    assert project.instances.frames_predicted_by(video.id, two.id) == {7}
    other = project.videos.add(Video("/data/other.mp4", 300, 30.0, 640, 480, "e" * 64))
    assert project.instances.frames_predicted_by(other.id, one.id) == set()


def test_replace_model_predictions_keeps_labels_imports_and_other_models(project, video, models):
    one, two = models
    project.instances.add_many([_prediction(video.id, f, one.id, score=0.1) for f in (0, 1, 2, 3)])
    project.instances.add_many([_prediction(video.id, 1, two.id), _prediction(video.id, 1, origin="coco:x.json"),
                                _prediction(video.id, 2, origin="coco:x.json"), _prediction(video.id, 5, two.id)])  # fmt: skip
    project.instances.add(Instance(video.id, 1, box=Box(0, 0, 1, 1)))
    before = _rows(project, video.id)

    kept = project.instances.replace_model_predictions(video.id, one.id, [1, 2], [_prediction(video.id, 2, one.id, score=0.9)])

    assert kept == {"model 2": 1, "coco:x.json": 2}
    after = _rows(project, video.id)
    gone = [r for r in before if r[2] == one.id and r[0] in (1, 2)]
    assert _sorted(set(before) - set(gone)) == _sorted(r for r in after if r != (2, "predicted", one.id, None, 0.9))
    assert (2, "predicted", one.id, None, 0.9) in after and len(after) == len(before) - 1
    assert project.instances.frames_predicted_by(video.id, one.id) == {0, 2, 3}


def test_replace_model_predictions_inside_a_transaction_that_fails_changes_nothing(project, video, models):
    one, _ = models
    project.instances.add_many([_prediction(video.id, f, one.id) for f in (0, 1)])
    before = _rows(project, video.id)
    with pytest.raises(RuntimeError):
        with project.transaction():
            project.instances.replace_model_predictions(video.id, one.id, [0, 1], [])
            raise RuntimeError("the caller's next step failed")
    assert _rows(project, video.id) == before


def test_replace_origin_predictions_touches_only_that_origin_on_those_frames(project, video, models):
    one, _ = models
    project.instances.add_many([_prediction(video.id, f, origin="onnx:a.onnx") for f in (0, 1, 2)])
    project.instances.add_many([_prediction(video.id, 1, origin="onnx:b.onnx"), _prediction(video.id, 1, one.id)])
    project.instances.add(Instance(video.id, 1, box=Box(0, 0, 1, 1)))

    removed = project.instances.replace_origin_predictions(
        video.id, "onnx:a.onnx", [1, 2], [_prediction(video.id, 1, origin="onnx:a.onnx", score=0.8)]
    )

    assert removed == 2
    assert _rows(project, video.id) == _sorted([
        (0, "predicted", None, "onnx:a.onnx", 0.5), (1, "predicted", None, "onnx:a.onnx", 0.8),
        (1, "predicted", None, "onnx:b.onnx", 0.5), (1, "predicted", one.id, None, 0.5), (1, "user", None, None, None),
    ])  # fmt: skip


def test_events_replace_predicted_swaps_only_the_videos_predicted_events(project, video, catalog):
    groom = catalog["groom"].id
    other = project.videos.add(Video("/data/other.mp4", 300, 30.0, 640, 480, "e" * 64))
    coded = project.events.add(BehaviourEvent(video.id, groom, 0, 10))
    project.events.add_many([BehaviourEvent(video.id, groom, s, s + 5, source="predicted") for s in (20, 40)])
    elsewhere = project.events.add(BehaviourEvent(other.id, groom, 0, 5, source="predicted"))

    written = project.events.replace_predicted(video.id, [BehaviourEvent(video.id, groom, 60, 70, source="predicted")])

    assert written == 1
    assert [(e.start_frame, e.source) for e in project.events.in_video(video.id)] == [(0, "user"), (60, "predicted")]
    assert [e.id for e in project.events.in_video(video.id, source="user")] == [coded.id]
    assert [e.id for e in project.events.in_video(other.id)] == [elsewhere.id]
    assert project.events.replace_predicted(video.id, []) == 0
    assert [e.id for e in project.events.in_video(video.id)] == [coded.id]
