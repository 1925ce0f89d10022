"""The store's queries for prediction runs and their review: each answers what its name says and
changes only what it should (run on SQLite and on PostgreSQL, see tests/conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest

from core.domain import BehaviourEvent, Box, Instance, ModelRecord, Rle, Video
from core.project import ProjectError, StorageError


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


def test_events_replace_predicted_of_some_models_keeps_the_other_models_events(project, video, catalog, models):
    groom = catalog["groom"].id
    one, two = models
    coded = project.events.add(BehaviourEvent(video.id, groom, 0, 10))
    project.events.add_many([BehaviourEvent(video.id, groom, s, s + 5, source="predicted", model_id=m)
                             for s, m in ((20, one.id), (40, two.id), (60, None))])  # fmt: skip
    fresh = [BehaviourEvent(video.id, groom, 80, 90, source="predicted", model_id=one.id)]

    assert project.events.replace_predicted(video.id, fresh, model_ids=[one.id], unattributed=False) == 1
    starts = lambda: sorted((e.start_frame, e.model_id) for e in project.events.in_video(video.id, source="predicted"))  # noqa: E731
    assert starts() == [(40, two.id), (60, None), (80, one.id)]  # model two's and the unattributed one stay
    assert project.events.replace_predicted(video.id, [], model_ids=[one.id]) == 0  # unattributed (default): no model's go too
    assert starts() == [(40, two.id)]
    assert project.events.replace_predicted(video.id, [], model_ids=[]) == 0 and starts() == [(40, two.id)]
    assert [e.id for e in project.events.in_video(video.id, source="user")] == [coded.id]


def test_highest_score_reads_the_videos_predictions_only(project, video, models):
    assert project.instances.highest_score(video.id) is None
    project.instances.add_many([_prediction(video.id, 0, score=0.4), _prediction(video.id, 1, score=None)])
    project.instances.add(Instance(video.id, 2, box=Box(0, 0, 1, 1), score=0.99))  # a user label's score counts not
    assert project.instances.highest_score(video.id) == pytest.approx(0.4)


def test_frame_confidences_are_each_frames_lowest_visible_score(project, video, models):
    one, two = models
    project.instances.add_many([
        _prediction(video.id, 0, one.id, score=0.9), _prediction(video.id, 0, one.id, score=0.6),
        _prediction(video.id, 1, one.id, score=None), _prediction(video.id, 2, one.id, score=0.1),
        _prediction(video.id, 3, two.id, score=0.7), _prediction(video.id, 2, two.id, score=0.8),
    ])  # fmt: skip
    project.instances.add(Instance(video.id, 4, box=Box(0, 0, 1, 1)))
    before = _rows(project, video.id)
    everything = sorted(project.instances.frame_confidences(video.id))
    assert everything == [(0, pytest.approx(0.6), 2), (1, 0.0, 1), (2, pytest.approx(0.1), 2), (3, pytest.approx(0.7), 1)]
    # the 0.1 on frame 2 is hidden by the threshold; the unscored one on frame 1 never is
    assert sorted(project.instances.frame_confidences(video.id, min_score=0.5)) == [
        (0, pytest.approx(0.6), 2), (1, 0.0, 1), (2, pytest.approx(0.8), 1), (3, pytest.approx(0.7), 1)]
    assert sorted(project.instances.frame_confidences(video.id, model_id=two.id)) == [(2, pytest.approx(0.8), 1), (3, pytest.approx(0.7), 1)]
    assert sorted(project.instances.frame_confidences(video.id, frames=[0, 3, 4])) == [(0, pytest.approx(0.6), 2), (3, pytest.approx(0.7), 1)]
    assert project.instances.frame_confidences(video.id, frames=[]) == []
    assert [r[0] for r in project.instances.frame_confidences(video.id, lowest=2)] == [1, 2]  # least confident first
    assert _rows(project, video.id) == before


def test_latest_node_scored_model_is_the_newest_prediction_with_node_scores(project, video, models, catalog):
    one, two = models
    assert project.instances.latest_node_scored_model(video.id) is None
    pose = dict(skeleton_id=catalog["skeleton"].id, keypoints=np.ones((3, 3)), keypoint_scores=np.array([0.9, 0.5, 0.1]))
    project.instances.add_many([_prediction(video.id, 0, one.id, **pose)])
    project.instances.add_many([_prediction(video.id, 1, two.id)])  # newer, but no node scores
    assert project.instances.latest_node_scored_model(video.id) == one.id
    project.instances.add_many([_prediction(video.id, 2, two.id, **pose)])
    assert project.instances.latest_node_scored_model(video.id) == two.id


def test_as_arrays_holds_every_instance_of_the_video_sorted(project, video, models, catalog):
    one, _ = models
    other = project.videos.add(Video("/data/other.mp4", 300, 30.0, 640, 480, "e" * 64))
    keypoints = np.array([[1, 2, 2], [3, 4, 1], [0, 0, 0]], dtype=np.float32)
    late = project.instances.add(Instance(video.id, 9, box=Box(1, 2, 3, 4), track_id=catalog["alice"].id))
    early = project.instances.add_many([_prediction(video.id, 2, one.id, score=0.3, skeleton_id=catalog["skeleton"].id,
                                                    keypoints=keypoints)])  # fmt: skip
    project.instances.add(Instance(video.id, 5, polygons=(np.array([[0, 0], [4, 0], [0, 6]]),)))
    project.instances.add(Instance(other.id, 0, box=Box(0, 0, 1, 1)))

    rows = project.instances.as_arrays(video.id)

    assert early == 1 and len(rows) == 3
    assert rows.frame.tolist() == [2, 5, 9] and rows.id[-1] == late.id
    assert rows.track.tolist() == [-1, -1, catalog["alice"].id]
    assert rows.predicted.tolist() == [True, False, False] and rows.by_model.tolist() == [True, False, False]
    assert rows.score[0] == pytest.approx(0.3) and np.isnan(rows.score[1:]).all()
    assert rows.box[2].tolist() == [1, 2, 3, 4] and np.isnan(rows.box[1]).all()
    assert rows.shaped.tolist() == [False, True, False]
    assert rows.n_nodes.tolist() == [3, 0, 0] and np.array_equal(rows.keypoints[0], keypoints)
    assert np.isnan(rows.keypoints[1:]).all()
    assert len(project.instances.as_arrays(other.id)) == 1
    empty = project.instances.as_arrays(project.videos.add(Video("/data/none.mp4", 10, 30.0, 64, 48, "d" * 64)).id)
    assert len(empty) == 0 and empty.keypoints.shape[0] == 0


def test_shape_boxes_are_the_masks_or_polygons_extent(project, video):
    mask = np.zeros((48, 64), dtype=bool)
    mask[10:20, 5:15] = True
    masked = project.instances.add(Instance(video.id, 0, mask=Rle.from_array(mask)))
    polygon = project.instances.add(Instance(video.id, 1, polygons=(np.array([[2, 3], [8, 3], [2, 9]]),)))
    empty = project.instances.add(Instance(video.id, 2, mask=Rle.from_array(np.zeros((48, 64), dtype=bool))))
    plain = project.instances.add(Instance(video.id, 3, box=Box(0, 0, 1, 1)))
    boxes = project.instances.shape_boxes([masked.id, polygon.id, empty.id, plain.id])
    assert boxes[masked.id] == Rle.from_array(mask).bounding_box().as_tuple()
    assert boxes[polygon.id] == (2, 3, 8, 9)
    assert boxes[empty.id] is None and boxes[plain.id] is None


@pytest.mark.sqlite_only
def test_a_full_disk_mid_write_is_the_stores_storage_error_and_changes_nothing(project, video, models):
    one, _ = models
    project.instances.add_many([_prediction(video.id, f, one.id) for f in range(10)])
    before = _rows(project, video.id)
    with project.db.reading() as connection:  # not one page more than the file has: SQLITE_FULL
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
        connection.exec_driver_sql(f"PRAGMA max_page_count={pages}")
    many = [_prediction(video.id, f % 300, one.id) for f in range(5000)]
    with pytest.raises(StorageError) as raised:
        project.instances.replace_model_predictions(video.id, one.id, list(range(300)), many)
    assert "database or disk is full" in str(raised.value) and "project.sqlite" in str(raised.value)
    assert raised.value.reason == "database or disk is full" and isinstance(raised.value, ProjectError)
    assert _rows(project, video.id) == before
