"""Opening the review queue of a long predicted video, as the user sees it.

    python bench/bench_review_open.py [--frames 200000] [--per-frame 2]

A project with one video of 200,000 frames (32x32, written here) and 2 scored predictions on
every frame (400,000). The real `MainWindow` opens it (offscreen); measured from the window shown
to the review list's first item, and to the whole order ranked (the list is filled from the
least confident frames while the rest is ranked in the helper process), with the window's
event loop stalls meanwhile (a 5 ms timer's lateness). Baseline in the same run: the bare
grouped SQL read of every frame's lowest score (sqlite3, no Ethoframe code). Goal (issue 14):
first item < 1 s.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.domain import Box, Instance, ModelRecord  # noqa: E402
from core.project import Project  # noqa: E402
from core.workflows.videos import add_videos  # noqa: E402
from gui.analysis import warm_up  # noqa: E402
from gui.app import MainWindow  # noqa: E402


def build(folder: Path, frames: int, per_frame: int) -> Path:
    video_path = folder / "long.mp4"
    writer = cv2.VideoWriter(str(video_path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (32, 32))
    frame = np.full((32, 32, 3), 60, np.uint8)
    for _ in range(frames):
        writer.write(frame)
    writer.release()
    rng = np.random.default_rng(0)
    with Project.create(folder / "p") as project:
        (video,) = add_videos(project, [video_path])
        model = project.models.add(ModelRecord("bench detector", "detect", "models/bench"))
        for start in range(0, frames, 20_000):
            project.instances.add_many(
                Instance(video.id, f, box=Box(2 + 10 * n, 2, 9 + 10 * n, 9), source="predicted", score=float(rng.uniform(0.2, 1.0)), model_id=model.id)
                for f in range(start, min(start + 20_000, frames))
                for n in range(per_frame)
            )
    return folder / "p"


def bare_read(folder: Path) -> float:
    connection = sqlite3.connect(folder / "project.sqlite")
    began = time.perf_counter()
    connection.execute(
        "SELECT f.frame_index, min(coalesce(i.score, 0)), count(*) FROM instances i JOIN frames f ON i.frame_id = f.id "
        "WHERE f.video_id = 1 AND i.source = 'predicted' GROUP BY i.frame_id"
    ).fetchall()
    connection.close()
    return time.perf_counter() - began


def open_and_time(app: QApplication, folder: Path, frames: int) -> dict[str, float]:
    late, last = [0.0], [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - last[0]) * 1e3 - 5))
        last[0] = now

    warm_up()  # as `python -m gui` does before it builds the window
    window = MainWindow(folder)
    window.resize(1600, 1000)
    window.show()
    panel = window.review.panel
    began = time.perf_counter()
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    timer.start(5)
    figures: dict[str, float] = {}
    deadline = began + 120
    while time.perf_counter() < deadline:
        app.processEvents()
        if "first item" not in figures and panel.frame_list.count():
            figures["first item"] = time.perf_counter() - began
        if panel.queue is not None and not panel.queue.partial and not panel.busy:
            figures["whole order"] = time.perf_counter() - began
            break
        time.sleep(0.001)
    timer.stop()
    figures["longest stall"] = max(late) / 1e3
    figures["ranked"] = len(panel.order)
    window.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--per-frame", type=int, default=2)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    root = Path(tempfile.mkdtemp(prefix="ethoframe-review-open-"))
    began = time.perf_counter()
    folder = build(root, args.frames, args.per_frame)
    print(f"built {args.frames:,} frames x {args.per_frame} predictions in {time.perf_counter() - began:.0f} s")
    bare = bare_read(folder)
    figures = open_and_time(app, folder, args.frames)
    print(f"bare grouped SQL read of every frame's score: {bare * 1e3:.0f} ms")
    for name in ("first item", "whole order", "longest stall"):
        if name in figures:
            print(f"{name:<16}{figures[name] * 1e3:8.0f} ms   ({figures[name] / bare:.1f}x the bare read)")
    print(f"ranked {figures['ranked']:,} frames; goal: first item < 1000 ms")


if __name__ == "__main__":
    main()
