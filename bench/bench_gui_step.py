"""Frame-step latency as the user sees it: a key press to the new frame painted.

    python bench/bench_gui_step.py [--steps 200]

On ../shared/data/sleap/clip.mp4 (1024x1024) with its SLEAP labels on every frame, twice: in a
project holding only that, and in one that also holds 200,000 predicted frames and 100,000
frame suggestions on other videos (SLEAP's GUI slowed to seconds per step at that scale: every
per-frame lookup here is indexed). Runs offscreen. Prints median and p95 for stepping forward
and backward in each project, and the ratio between them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.domain import Box, Instance, Suggestion, Video  # noqa: E402
from core.interchange.slp import import_slp  # noqa: E402
from core.project import Project  # noqa: E402
from gui.app import MainWindow  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sleap"


def build(folder: Path, crowded: bool) -> None:
    with Project.create(folder) as project:
        import_slp(project, DATA / "clip.slp")
        if not crowded:
            return
        keypoints = np.ones((13, 3), dtype=np.float32)
        for n in range(4):  # 4 other videos x 50,000 predicted frames
            other = project.videos.add(Video(f"/elsewhere/session{n}.mp4", 50_000, 30.0, 1024, 1024, f"{n:064d}"))
            for start in range(0, 50_000, 10_000):
                project.instances.add_many(
                    Instance(other.id, f, box=Box(0, 0, 9, 9), keypoints=keypoints, source="predicted", score=0.5)
                    for f in range(start, start + 10_000)
                )
            project.suggestions.replace(other.id, "kmeans", [Suggestion(other.id, f, "kmeans") for f in range(0, 50_000, 2)])


def measure(app: QApplication, folder: Path, steps: int) -> dict[str, list[float]]:
    window = MainWindow(folder)
    window.resize(1600, 1000)
    window.show()
    _wait(app, lambda: window.relink_dialog is not None or window.isActiveWindow())
    if window.relink_dialog is not None:  # the other videos are not on this machine
        window.relink_dialog.reject()
        window.activateWindow()
        _wait(app, window.isActiveWindow)
    shown: list[int] = []
    window.frame_shown.connect(shown.append)
    clip = next(v.id for v in window.project.videos.all() if v.path.endswith("clip.mp4"))
    window._select_video(clip)
    results: dict[str, list[float]] = {"forward": [], "backward": []}
    rng = np.random.default_rng(0)
    for direction, key in (("forward", Qt.Key.Key_Right), ("backward", Qt.Key.Key_Left)):
        start = int(rng.integers(300, 1100))
        window.state.set_frame(start)
        _wait(app, lambda: window.state.frame_index in shown)
        _wait(app, lambda: window.frames._prefetcher.wait_idle(0.0))
        for _ in range(steps):
            target = window.state.frame_index + (1 if direction == "forward" else -1)
            shown.clear()
            began = time.perf_counter()
            QTest.keyClick(window, key)
            _wait(app, lambda: target in shown)
            window.view.viewport().repaint()  # paint now, synchronously: the user sees it
            results[direction].append((time.perf_counter() - began) * 1e3)
    window.close()
    return results


def _wait(app: QApplication, done, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        app.processEvents()
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for the window")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    root = Path(tempfile.mkdtemp(prefix="ethoframe-step-"))
    figures = {}
    for name, crowded in (("clip only", False), ("clip + 200k predicted frames + 100k suggestions", True)):
        began = time.perf_counter()
        build(root / ("crowded" if crowded else "plain"), crowded)
        print(f"built project '{name}' in {time.perf_counter() - began:.1f} s")
        figures[name] = measure(app, root / ("crowded" if crowded else "plain"), args.steps)
    for name, result in figures.items():
        for direction, values in result.items():
            print(f"{name:<50} step {direction:<8}: median {statistics.median(values):6.2f} ms   p95 {np.percentile(values, 95):6.2f} ms")
    plain, crowded = figures["clip only"], figures["clip + 200k predicted frames + 100k suggestions"]
    for direction in ("forward", "backward"):
        ratio = statistics.median(crowded[direction]) / statistics.median(plain[direction])
        print(f"crowded / plain median, {direction}: {ratio:.2f} (goal <= 1.10)")


if __name__ == "__main__":
    main()
