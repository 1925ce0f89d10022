"""Undo and redo interleaved at random with edits and a second writer (another connection
adding and deleting predictions, as a predict job does): every undo gives back exactly the
labels as they were before the edit, and every redo exactly as they were after it."""

from __future__ import annotations

import random

from core.domain import Box, Instance
from core.edits import AddInstance, DeleteInstance, EditHistory, set_box
from core.project import Project

FRAMES = 6


def _labels(project: Project, video_id: int) -> dict[int, tuple[int, Box]]:
    found = project.instances.on_frames(video_id, 0, FRAMES, source="user")
    return {i.id: (frame, i.box) for frame, instances in found.items() for i in instances}


def _box(rng: random.Random) -> Box:
    x, y = rng.randrange(0, 500), rng.randrange(0, 400)
    return Box(x, y, x + rng.randrange(5, 100), y + rng.randrange(5, 60))


def test_every_redo_restores_exactly_what_was_undone_with_another_writer(project, video):
    rng = random.Random(16)
    other = Project.open(project.folder)  # the predict job's own connection
    history = EditHistory(project)
    done: list[tuple[dict, dict]] = []  # (labels before, labels after) of each done step
    undone: list[tuple[dict, dict]] = []
    counts = dict.fromkeys(("do", "undo", "redo", "other"), 0)
    try:
        for _ in range(700):
            roll = rng.random()
            labels = _labels(project, video.id)
            if roll < 0.3:
                if roll < 0.12 or not labels:
                    edit = AddInstance(Instance(video.id, rng.randrange(FRAMES), box=_box(rng)))
                elif roll < 0.2:
                    edit = DeleteInstance(rng.choice(sorted(labels)))
                else:
                    edit = set_box(project, rng.choice(sorted(labels)), _box(rng))
                history.push(edit)
                done.append((labels, _labels(project, video.id)))
                undone.clear()
                counts["do"] += 1
            elif roll < 0.5 and done:
                history.undo()
                before, after = done.pop()
                assert _labels(project, video.id) == before
                undone.append((before, after))
                counts["undo"] += 1
            elif roll < 0.7 and undone:
                history.redo()
                before, after = undone.pop()
                assert _labels(project, video.id) == after
                done.append((before, after))
                counts["redo"] += 1
            else:
                if rng.random() < 0.6:
                    other.instances.add_many(
                        Instance(video.id, rng.randrange(FRAMES), box=_box(rng), source="predicted", score=0.5)
                        for _ in range(rng.randrange(1, 5))
                    )
                else:
                    start = rng.randrange(FRAMES)
                    other.instances.delete_predictions(video.id, start, start + rng.randrange(1, 3))
                counts["other"] += 1
    finally:
        other.close()
    assert min(counts.values()) > 50, counts


def test_a_failed_undo_or_redo_leaves_the_history_where_it_was(project, video):
    history = EditHistory(project)
    made = history.push(AddInstance(Instance(video.id, 0, box=Box(0, 0, 5, 5)))).instance
    history.push(set_box(project, made.id, Box(1, 1, 9, 9)))
    with Project.open(project.folder) as other:
        removed = other.instances.delete(made.id)
    try:
        history.undo()
    except Exception:  # noqa: BLE001 (the store's NotFoundError: the label is gone)
        pass
    assert history.texts() == (["Add instance", "Move box"], [])
    with Project.open(project.folder) as other:
        other.instances.add(removed)
    history.undo()
    assert history.texts() == (["Add instance"], ["Move box"])
