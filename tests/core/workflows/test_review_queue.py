"""The review queue kept by the frames edits touch: after any run of accepts, rejects, score
changes and undos it equals the order computed from scratch; its head is the order's first
frames; by disagreement it asks for a recompute instead of guessing."""

from __future__ import annotations

import numpy as np
import pytest

from core.domain import Box, Instance
from core.edits import EditHistory, accept_prediction, reject_prediction
from core.workflows.review import review_order
from core.workflows.review_queue import ReviewQueue, review_context


@pytest.fixture
def predicted(project, video):
    rng = np.random.default_rng(3)
    project.instances.add_many(
        Instance(video.id, f, box=Box(10 * n, 0, 10 * n + 8, 8), source="predicted", score=float(rng.uniform(0.1, 1.0)))
        for f in range(0, 120, 2)
        for n in range(int(rng.integers(1, 4)))
    )
    return video


def as_tuples(items):
    return [(i.frame_index, i.score, i.reason) for i in items]


@pytest.mark.parametrize("min_score", [0.0, 0.4])
def test_edited_frames_re_ranked_equal_the_order_from_scratch(project, predicted, min_score):
    queue = ReviewQueue.build(project, predicted.id, "confidence", min_score)
    assert as_tuples(queue.items) == as_tuples(review_order(project, predicted.id, "confidence", min_score))
    history = EditHistory(project)
    rng = np.random.default_rng(7)
    for step in range(40):
        frame = int(rng.choice(range(0, 120, 2)))
        if step % 5 == 4 and history.can_undo:
            edit = history.undo()
        else:
            candidates = project.instances.on_frame(predicted.id, frame, source="predicted")
            if not candidates:
                continue
            ask = accept_prediction if step % 2 else reject_prediction
            edit = history.push(ask(project, candidates[0].id))
        frames = {t.frame_index for t in edit.touched() if t.predicted}
        assert queue.update(project, frames)
        assert as_tuples(queue.items) == as_tuples(review_order(project, predicted.id, "confidence", min_score))
    assert queue.position(queue.frames[0]) == 0 and queue.position(121) is None


def test_the_head_is_the_first_frames_of_the_order(project, predicted):
    whole = ReviewQueue.build(project, predicted.id, "confidence", 0.2)
    head = ReviewQueue.build_head(project, predicted.id, 0.2, n=10)
    assert head.partial and not whole.partial
    assert as_tuples(head.items) == as_tuples(whole.head(10))


def test_the_disagreement_order_asks_for_a_recompute(project, predicted):
    queue = ReviewQueue.build(project, predicted.id, "disagreement")
    assert as_tuples(queue.items) == as_tuples(review_order(project, predicted.id, "disagreement"))
    assert queue.update(project, [0]) is False


def test_the_context_names_the_highest_score(project, predicted):
    context = review_context(project, predicted.id)
    scores = [i.score for f in range(0, 120, 2) for i in project.instances.on_frame(predicted.id, f)]
    assert context.highest_score == pytest.approx(max(scores)) and context.node_model_id is None
