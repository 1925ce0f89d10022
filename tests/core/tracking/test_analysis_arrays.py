"""The whole-video analyses read as arrays give what the per-instance versions gave (issue 14):
the same suspects (frame, kind, tracks, detail; score to float tolerance) and the same review
items in the same order, on randomised tracked videos with everything that makes the cases
differ: fragments, gaps, swaps, crossings, duplicates, untracked, user and predicted instances,
hidden nodes, boxes without poses, masks and polygons without boxes, node counts that differ."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize
from reference_analysis import disagreement_order_per_frame, find_suspects_per_instance, suspects_in_per_instance

from core.domain import Box, Instance, Rle, Skeleton, Track
from core.tracking import Detection, find_suspects
from core.tracking.suspects import suspects_in
from core.workflows.review import disagreement_order, review_order


def _pose(rng, x, y, nodes, hidden=0.15):
    points = np.stack([x + rng.normal(0, 3, nodes), y + 6 * np.arange(nodes) + rng.normal(0, 1, nodes), np.full(nodes, 2.0)], axis=1)
    points[rng.random(nodes) < hidden, 2] = 0
    return points.astype(np.float32)


def _random_video(project, video, rng, frames=160, animals=4):
    skeletons = [project.skeletons.add(Skeleton.from_names(f"s{n}", [f"n{k}" for k in range(n)], [])) for n in (3, 9)]
    tracks = [project.tracks.add(Track(f"t{n}")).id for n in range(animals + 3)]
    position = rng.uniform(50, 400, (animals, 2))
    instances = []
    for f in range(frames):
        if rng.random() < 0.08:  # some frames carry nothing
            continue
        position += rng.normal(0, 4, position.shape)
        if rng.random() < 0.05:  # two animals cross: one jumps next to another
            i, j = rng.choice(animals, 2, replace=False)
            position[i] = position[j] + rng.normal(0, 3, 2)
        for n in range(animals):
            if rng.random() < 0.1:
                continue  # missed on this frame (gaps)
            x, y = position[n]
            track = tracks[n] if f < frames // 2 or n % 2 else tracks[animals + n % 3]  # fragments
            if rng.random() < 0.04:
                track = tracks[(n + 1) % animals]  # a swap (sometimes a duplicate on the frame)
            if rng.random() < 0.05:
                track = None
            kind = rng.random()
            keypoints = skeleton = box = mask = None
            polygons: tuple = ()
            if kind < 0.6:
                skeleton = skeletons[int(rng.random() < 0.2)]
                keypoints = _pose(rng, x, y, len(skeleton.nodes))
            if kind > 0.4 and kind < 0.9:
                box = Box(x - 10, y - 5, x + 12, y + 30)
            elif kind >= 0.9:
                if rng.random() < 0.5:
                    grid = np.zeros((480, 640), bool)
                    grid[int(y) : int(y) + 20, int(x) : int(x) + 15] = True
                    mask = Rle.from_array(grid)
                else:
                    polygons = (np.array([[x, y], [x + 20, y], [x + 10, y + 25]]),)
            source = "predicted" if rng.random() < 0.8 else "user"
            score = float(np.clip(rng.normal(0.8, 0.25), 0.01, 1.0)) if source == "predicted" and rng.random() < 0.95 else None
            instances.append(Instance(video.id, f, track_id=track, skeleton_id=skeleton.id if skeleton else None, box=box, mask=mask,
                                      polygons=polygons, keypoints=keypoints, source=source, score=score))  # fmt: skip
    project.instances.add_many(instances)


def _same_suspects(found, expected):
    assert [(s.frame, s.kind, s.track_ids, s.detail) for s in found] == [(s.frame, s.kind, s.track_ids, s.detail) for s in expected]
    assert [s.score for s in found] == pytest.approx([s.score for s in expected], rel=1e-12, nan_ok=True)


@pytest.mark.parametrize("seed", range(3))
def test_find_suspects_reads_arrays_and_finds_what_the_per_instance_version_found(project, video, seed):
    _random_video(project, video, np.random.default_rng(seed))
    for source in (None, "predicted", "user"):
        expected = find_suspects_per_instance(project, video.id, source)
        assert {s.kind for s in expected} >= ({"jump", "crossing", "gap", "low_score"} if source != "user" else {"gap"})
        _same_suspects(find_suspects(project, video.id, source), expected)


def test_suspects_in_memory_agree_with_the_per_detection_version():
    rng = np.random.default_rng(7)
    series, scores = {}, {}
    for track in (5, 2, 9):
        frames = np.unique(rng.integers(0, 200, 150))
        path = np.cumsum(rng.normal(0, 3, (len(frames), 2)), axis=0) + rng.uniform(0, 60, 2)
        series[track] = {
            int(f): Detection(np.where(rng.random((3, 1)) < 0.2, np.nan, p + rng.normal(0, 2, (3, 2))), None if k % 3 else np.r_[p - 5, p + 5])
            for k, (f, p) in enumerate(zip(frames, path))
        }  # fmt: skip
        scores[track] = {int(f): float(rng.uniform(0, 1)) for f in frames[::2]}
    _same_suspects(suspects_in(series, scores), suspects_in_per_instance(series, scores))
    assert suspects_in({}) == [] and suspects_in({1: {}}) == []


@pytest.mark.parametrize("seed", range(3))
def test_the_disagreement_order_is_the_per_frame_one(project, video, seed, monkeypatch):
    _random_video(project, video, np.random.default_rng(seed), animals=3)
    for min_score in (0.0, 0.6):
        expected = disagreement_order_per_frame(project, video.id, min_score)
        solved = []
        monkeypatch.setattr(scipy.optimize, "linear_sum_assignment", lambda cost, solve=scipy.optimize.linear_sum_assignment: solved.append(1) or solve(cost))
        found = disagreement_order(project, video.id, min_score)
        monkeypatch.undo()
        assert 0 < len(solved) < len(found) / 2  # most frames settled without scipy, some by it
        assert [(i.frame_index, i.reason) for i in found] == [(i.frame_index, i.reason) for i in expected]
        assert [i.score for i in found] == pytest.approx([i.score for i in expected], rel=1e-12)
    assert review_order(project, video.id, "disagreement") == disagreement_order(project, video.id)
