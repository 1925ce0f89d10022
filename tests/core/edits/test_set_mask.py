"""`set_mask` replaces an instance's mask whole, undoably; a prediction changed becomes a label."""

from __future__ import annotations

import numpy as np

from core.domain import Box, Instance, Rle
from core.edits import EditHistory, set_mask


def test_set_mask_replaces_and_undo_restores(project, video):
    made = project.instances.add(Instance(video.id, 3, box=Box(1, 1, 5, 5), source="predicted", score=0.5))
    pixels = np.zeros((video.height, video.width), dtype=bool)
    pixels[2:4, 2:4] = True
    history = EditHistory(project)
    history.push(set_mask(project, made.id, Rle.from_array(pixels)))
    changed = project.instances.get(made.id)
    assert changed.mask.area == 4 and changed.source == "user"
    history.undo()
    restored = project.instances.get(made.id)
    assert restored.mask is None and restored.source == "predicted"
