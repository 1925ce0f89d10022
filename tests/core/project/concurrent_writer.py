"""A child process for the crash and concurrency tests: writes to a project and reports each
commit on stdout as it happens. Run as `python concurrent_writer.py MODE PROJECT VIDEO_ID`.

MODE "edits": user edits one at a time through the history (the GUI's pattern), forever.
MODE "predictions": batches of predicted instances (a training/inference job's pattern).
"""

from __future__ import annotations

import sys

import numpy as np

from core.domain import Box, Instance
from core.edits import AddInstance, EditHistory, set_box
from core.project import Project


def write_edits(project: Project, video_id: int) -> None:
    history = EditHistory(project)
    for n in range(10**9):
        added = history.push(AddInstance(Instance(video_id, n % 300, box=Box(0, 0, 10, 10)))).instance
        history.push(set_box(project, added.id, Box(n, n, n + 10, n + 10)))
        print(added.id, n, flush=True)  # printed only after both commits


def write_predictions(project: Project, video_id: int, batches: int = 40, size: int = 250) -> None:
    keypoints = np.ones((6, 3), dtype=np.float32)
    for batch in range(batches):
        predictions = [
            Instance(video_id, batch * size + k, keypoints=keypoints, source="predicted", score=0.5)
            for k in range(size)
        ]
        project.instances.add_many(predictions)
        project.instances.on_frame(video_id, batch * size)
        print("batch", batch, flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    mode, path, video = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with Project.open(path) as opened:
        (write_edits if mode == "edits" else write_predictions)(opened, video)
