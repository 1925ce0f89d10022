"""Review order of predicted frames (confidence, disagreement), stepping through it, and the
"uncertainty" frame suggestions, from the store and from `ethoframe suggest`."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from core.cli import suggest_commands
from core.domain import Box, Instance, ModelRecord, Suggestion, Video
from core.edits import EditHistory, accept_prediction, reject_prediction
from core.project import InvalidEditError
from core.suggest import suggest_frames, suggest_uncertain
from core.workflows.review import (
    COUNT_CHANGE_PX,
    Shape,
    accept_visible,
    confidence_order,
    disagreement_order,
    frame_disagreement,
    frames_to_predict,
    match_shapes,
    next_to_review,
    review_order,
    shape_from_parts,
)


def predicted(video_id: int, frame: int, score: float | None, x: float = 10.0, model_id: int | None = None, **fields) -> Instance:
    return Instance(video_id, frame, box=Box(x, 10, x + 20, 30), source="predicted", score=score, model_id=model_id, **fields)


@pytest.fixture
def model(project) -> ModelRecord:
    return project.models.add(ModelRecord("m1", "detect", "models/m1"))


@pytest.fixture
def scored(project, video, model):
    """Frames 2 (0.9, 0.4), 5 (0.7), 8 (0.95), 11 (0.2), and a user label on frame 0."""
    project.instances.add(Instance(video.id, 0, box=Box(0, 0, 5, 5)))
    for frame, score in ((2, 0.9), (2, 0.4), (5, 0.7), (8, 0.95), (11, 0.2)):
        project.instances.add(predicted(video.id, frame, score, model_id=model.id))
    return video


def test_confidence_order_is_lowest_score_first_with_reasons(project, scored):
    order = confidence_order(project, scored.id)
    assert [item.frame_index for item in order] == [11, 2, 5, 8]
    assert order[1].score == pytest.approx(0.4) and order[1].reason == "lowest score 0.40 (2 predictions)"
    assert review_order(project, scored.id) == order


def test_threshold_hides_predictions_from_the_order(project, scored):
    order = confidence_order(project, scored.id, min_score=0.5)
    assert [item.frame_index for item in order] == [5, 2, 8]  # 11 has nothing visible; 2 keeps its 0.9
    assert order[1].score == pytest.approx(0.9)


def test_fully_accepted_or_rejected_frames_leave_the_queue(project, scored):
    history = EditHistory(project)
    low, high = sorted(project.instances.on_frame(scored.id, 2), key=lambda i: i.score)
    history.push(accept_prediction(project, high.id))
    assert [i.frame_index for i in confidence_order(project, scored.id)] == [11, 2, 5, 8]
    history.push(reject_prediction(project, low.id))
    (on_11,) = project.instances.on_frame(scored.id, 11)
    history.push(accept_prediction(project, on_11.id))
    assert [i.frame_index for i in confidence_order(project, scored.id)] == [5, 8]
    history.undo()
    assert confidence_order(project, scored.id)[0].frame_index == 11


def test_unscored_predictions_rank_first_and_are_never_hidden(project, video):
    project.instances.add(predicted(video.id, 4, None))
    project.instances.add(predicted(video.id, 6, 0.1))
    assert [i.frame_index for i in confidence_order(project, video.id, min_score=0.5)] == [4]
    assert [i.frame_index for i in confidence_order(project, video.id)] == [4, 6]


def test_matching_is_hungarian_and_poses_compare_node_by_node():
    a = [Shape((0.0, 0.0)), Shape((100.0, 0.0))]
    b = [Shape((101.0, 0.0)), Shape((3.0, 4.0)), Shape(None)]
    assert sorted(match_shapes(a, b)) == [(0, 1, 5.0), (1, 0, 1.0)]
    assert frame_disagreement(a, b).count_change == 1
    assert frame_disagreement(a, b).displacement == pytest.approx(3.0)
    # Poses: the node missing on one side is left out; the box centre is not used.
    pose = np.array([[0, 0, 2], [10, 0, 2], [0, 0, 0]], dtype=np.float32)
    moved = pose + np.array([[2, 0, 0], [2, 0, 0], [50, 50, 0]], dtype=np.float32)
    d = frame_disagreement([shape_from_parts((0, 0, 10, 10), pose)], [shape_from_parts((40, 0, 50, 10), moved)])
    assert d.count_change == 0 and d.displacement == pytest.approx(2.0)


def test_disagreement_order_puts_jumps_and_count_changes_first(project, video, model):
    # Frames 0-4 one animal drifting 1 px a frame; it jumps 30 px at 3; a second appears at 4;
    # frame 20 stands alone (nothing just before it); frame 1 is fully accepted but still compared.
    xs = {0: 10, 1: 11, 2: 12, 3: 42, 4: 43}
    for frame, x in xs.items():
        project.instances.add(predicted(video.id, frame, 0.9, x, model_id=model.id))
    project.instances.add(predicted(video.id, 4, 0.9, 200, model_id=model.id))
    project.instances.add(predicted(video.id, 20, 0.9, model_id=model.id))
    (on_1,) = project.instances.on_frame(video.id, 1)
    EditHistory(project).push(accept_prediction(project, on_1.id))
    order = disagreement_order(project, video.id)
    assert [i.frame_index for i in order] == [4, 3, 2, 0, 20]
    assert order[0].score == pytest.approx(COUNT_CHANGE_PX + 1.0)
    assert order[0].reason == "1 → 2 instances, moved 1.0 px since frame 3"
    assert order[1].reason == "moved 30.0 px since frame 2"
    assert order[-1].reason == "no predicted frame just before"
    assert review_order(project, video.id, "disagreement") == order
    with pytest.raises(ValueError, match="confidence"):
        review_order(project, video.id, "random")


def test_next_to_review_walks_the_order_and_survives_a_frame_leaving_it():
    order = [11, 2, 5, 8]
    assert next_to_review(order, 2, +1) == 5 and next_to_review(order, 2, -1) == 11
    assert next_to_review(order, 8, +1) is None
    assert next_to_review(order, 0, +1) == 11 and next_to_review(order, 0, -1) == 8
    # Frame 2 was just accepted: "next" goes on from where it was.
    assert next_to_review([11, 5, 8], 2, +1, before=order) == 5
    assert next_to_review([11, 5, 8], 2, -1, before=order) == 11
    assert next_to_review([], 3, +1) is None
    # Frame 2's weakest prediction was accepted: it now ranks last, "next" is still frame 5.
    assert next_to_review([11, 5, 8, 2], 2, +1, before=order) == 5
    assert next_to_review([11, 5, 8, 2], 2, -1, before=order) == 11
    assert next_to_review([11, 5, 8, 2], 8, +1, before=order) is None  # 2 is behind it in the walk


def test_uncertain_suggestions_are_stored_with_their_method(project, scored, model):
    project.suggestions.replace(scored.id, "uniform", [Suggestion(scored.id, 7, "uniform")])
    made = suggest_uncertain(project, scored.id, 2)
    assert [(s.frame_index, s.method) for s in made] == [(2, "uncertainty"), (11, "uncertainty")]
    assert {s.frame_index: s.score for s in made} == {2: pytest.approx(0.6), 11: pytest.approx(0.8)}
    assert len(project.suggestions.for_video(scored.id)) == 3  # the uniform one stays
    again = suggest_frames(project, scored.id, "uncertainty", 1)
    assert [s.frame_index for s in again] == [11]
    other = project.models.add(ModelRecord("m2", "detect", "models/m2"))
    with pytest.raises(ValueError, match="model 2's predictions"):
        suggest_uncertain(project, scored.id, 3, model_id=other.id)


def test_uncertainty_without_predictions_is_a_clear_error(project, video):
    with pytest.raises(ValueError, match="no predictions.*ethoframe predict"):
        suggest_frames(project, video.id, "uncertainty", 3)
    with pytest.raises(ValueError, match="positive"):
        suggest_uncertain(project, video.id, 0)
    assert project.suggestions.for_video(video.id) == []


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ethoframe")
    suggest_commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_cli_suggests_uncertain_frames(project, scored, capsys):
    empty = project.videos.add(Video("/data/other.mp4", 50, 30.0, 64, 48, "e" * 64))
    assert run_cli(["suggest", str(project.folder), "--method", "uncertainty", "-n", "2"]) == 0
    out, err = capsys.readouterr()
    assert out == f"video {scored.id} (arena.mp4): 2 uncertainty suggestions: 2, 11\n"
    assert err == f"video {empty.id}: skipped, no predictions\n"
    assert {s.method for s in project.suggestions.for_video(scored.id)} == {"uncertainty"}
    with pytest.raises(ValueError, match="no predictions"):
        run_cli(["suggest", str(project.folder), "--method", "uncertainty", "-n", "2", "--video", str(empty.id)])
    assert run_cli(["suggest", str(project.folder), "--method", "uncertainty", "-n", "9", "--model", "1", "--video", str(scored.id)]) == 0
    assert capsys.readouterr().out.endswith("4 uncertainty suggestions: 2, 5, 8, 11\n")


def test_accept_visible_is_one_undo_step_over_the_threshold(project, scored):
    history = EditHistory(project)
    on_2 = project.instances.on_frame(scored.id, 2)
    edit = history.push(accept_visible(project, on_2, min_score=0.5))
    assert edit.text == "Accept 1 prediction"
    assert sorted((round(i.score, 1), i.source) for i in project.instances.on_frame(scored.id, 2)) == [(0.4, "predicted"), (0.9, "user")]
    with pytest.raises(InvalidEditError, match="no predictions above"):
        accept_visible(project, project.instances.on_frame(scored.id, 2, source="predicted"), min_score=0.5)
    history.undo()
    assert len(project.instances.on_frame(scored.id, 2, source="predicted")) == 2


def test_frames_to_predict_for_each_scope(project, video):
    project.suggestions.replace(video.id, "uniform", [Suggestion(video.id, f, "uniform") for f in (9, 3)])
    project.suggestions.replace(video.id, "kmeans", [Suggestion(video.id, f, "kmeans") for f in (3, 400)])
    assert frames_to_predict(project, video.id, "frame", current=7) == [7]
    assert frames_to_predict(project, video.id, "range", first=295, last=310) == list(range(295, 300))
    assert frames_to_predict(project, video.id, "suggested") == [3, 9]  # 400 is past the video's end
    assert frames_to_predict(project, video.id, "video") is None
    with pytest.raises(ValueError, match="scope"):
        frames_to_predict(project, video.id, "everything")


def test_imported_predictions_without_a_model_are_compared_too(project, video):
    for frame, x in ((0, 10), (1, 40)):
        project.instances.add(predicted(video.id, frame, 0.9, x))
    assert [(i.frame_index, i.reason) for i in disagreement_order(project, video.id)] == [
        (1, "moved 30.0 px since frame 0"), (0, "no predicted frame just before"),
    ]  # fmt: skip


def test_real_sleap_predictions_of_two_flies(project, shared_data):
    """SLEAP's own predictions (24-node poses, identity fragments): the least sure frame is the
    one sleap-io reads as holding the lowest instance score, and frames where instances appear
    or vanish head the disagreement order."""
    import sleap_io

    from core.interchange.slp import import_slp

    path = shared_data / "sleap" / "centered_pair_predictions.slp"
    import_slp(project, path)
    (video,) = project.videos.all()
    labels = sleap_io.load_slp(str(path))
    lowest = min((i.score, lf.frame_idx) for lf in labels.labeled_frames for i in lf.predicted_instances)
    order = confidence_order(project, video.id)
    assert len(order) == len({lf.frame_idx for lf in labels.labeled_frames if lf.predicted_instances})
    assert order[0].frame_index == lowest[1] and order[0].score == pytest.approx(lowest[0], abs=1e-5)
    counts = {lf.frame_idx: len(lf.predicted_instances) for lf in labels.labeled_frames}
    first = disagreement_order(project, video.id)[0]
    assert first.score >= COUNT_CHANGE_PX and counts[first.frame_index] != counts[first.frame_index - 1]
    made = suggest_uncertain(project, video.id, 5)
    assert lowest[1] in [s.frame_index for s in made] and max(s.score for s in made) == pytest.approx(1 - lowest[0], abs=1e-5)
