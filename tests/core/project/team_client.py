"""A labelling client for the two-process team test: random box edits on a shared project for
a while, some on the instances the other client edits too; keeps a view of every instance that
only the change notifications refresh (as a window does), and prints one JSON line at the end:
what it committed (instance:version -> box), how many of its writes were refused, and its view.

    python team_client.py URL SECONDS SEED USER
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time

from core.domain import Box
from core.edits import EditHistory, set_box
from core.project import ConflictError
from core.project.changes import ChangeWatcher
from core.project.location import open_project


def main(url: str, seconds: float, seed: int, user: str) -> None:
    os.environ["ETHOFRAME_USER"] = user
    rng = random.Random(seed)
    with open_project(url) as project:
        video = project.videos.all()[0]
        ids = [i.id for i in project.instances.on_frame(video.id, 0)]
        view = {i: project.instances.get(i).box.as_tuple() for i in ids}
        stale: set[int] = set()
        lock = threading.Lock()

        def told(changes) -> None:  # the window's targeted refresh: re-read what was touched
            with lock:
                stale.update(i for c in changes for i in c.instance_ids)

        watcher = ChangeWatcher(project.db, told).start()
        history, made, refused, attempts = EditHistory(project), {}, 0, 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with lock:
                dirty = list(stale)
                stale.clear()
            for i in dirty:
                view[i] = project.instances.get(i).box.as_tuple()
            target = rng.choice(ids[:5]) if rng.random() < 0.5 else rng.choice(ids)  # 5 hot instances
            x = round(rng.uniform(0, 500), 1)
            attempts += 1
            try:
                edit = history.push(set_box(project, target, Box(x, x, x + 9, x + 9)))
            except ConflictError:
                refused += 1
                continue
            made[f"{target}:{edit.version}"] = [x, x, x + 9, x + 9]
            view[target] = (x, x, x + 9, x + 9)
            time.sleep(rng.uniform(0, 0.01))
        time.sleep(1.0)  # the other client's last commits arrive
        watcher.stop()
        with lock:
            dirty = list(stale)
        for i in dirty:
            view[i] = project.instances.get(i).box.as_tuple()
    print(json.dumps({"made": made, "refused": refused, "attempts": attempts, "view": {str(k): list(v) for k, v in view.items()}}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
