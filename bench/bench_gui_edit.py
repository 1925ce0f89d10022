"""Edit latency on a video full of predictions, as the user sees it: an event to the window repainted.

    python bench/bench_gui_edit.py [--repeats 12] [--frames 20000] [--per-frame 5]

Two projects over one 20,000-frame video (128x128, written here): "labels only" (2 user poses
with boxes on every 100th frame) and the same plus 100,000 tracked predicted poses (5 a frame,
one model). In the real `MainWindow` (offscreen, 1600x1000) on user-labelled frames it drives,
through the mouse and the real shortcuts: drag a node (press, 8 moves, release), move a box,
accept a prediction (Ctrl+Return), reject one (Shift+Delete), swap identity from here
(Ctrl+Shift+S, the track dialog answered at once), delete an instance (Delete), undo (Ctrl+Z),
redo (Ctrl+Shift+Z). Each event's latency is from sending it to the window having processed
what it posted and painted the widgets it dirtied (two passes of the event loop: the handlers,
then the update requests they posted). After each action the loop runs 150 ms more and the longest
stall in it (a 5 ms timer's lateness) is kept: work a view deferred still blocks the next key.

Prints median and p95 per action in both projects, and the ratio predicted / labels only.
Goals (issue 14): median < 16 ms, p95 < 33 ms, ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QInputDialog  # noqa: E402

from core.domain import Box, Instance, ModelRecord, Skeleton, Track  # noqa: E402
from core.project import Project  # noqa: E402
from core.workflows.videos import add_videos  # noqa: E402
from gui.app import MainWindow  # noqa: E402

SIZE = 128
NODES = ("head", "thorax", "abdomen", "tail")
LABEL_EVERY = 100
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton


def write_video(path: Path, frames: int) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (SIZE, SIZE))
    base = np.full((SIZE, SIZE, 3), 40, np.uint8)
    for f in range(frames):
        frame = base.copy()
        cv2.putText(frame, str(f % 1000), (10, 64), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (200, 200, 200), 2)
        writer.write(frame)
    writer.release()


def pose(x: float, y: float) -> np.ndarray:
    return np.array([[x, y + 6 * n, 2] for n in range(len(NODES))], dtype=np.float32)


def build(folder: Path, video_path: Path, frames: int, per_frame: int) -> None:
    """Users' poses on every 100th frame (two animals, at x 20 and 60); predictions, when
    `per_frame`, at x 20 + 20 n on every frame, each animal its own track."""
    rng = np.random.default_rng(0)
    with Project.create(folder) as project:
        (video,) = add_videos(project, [video_path])
        skeleton = project.skeletons.add(Skeleton.from_names("fly", NODES, [(a, b) for a, b in zip(NODES, NODES[1:])]))
        tracks = [project.tracks.add(Track(f"animal {n}")) for n in range(max(per_frame, 2))]
        users = [
            Instance(video.id, f, track_id=tracks[n].id, skeleton_id=skeleton.id, box=Box(14 + 40 * n, 10, 34 + 40 * n, 40), keypoints=pose(24 + 40 * n, 16))
            for f in range(0, frames, LABEL_EVERY)
            for n in range(2)
        ]
        project.instances.add_many(users)
        if not per_frame:
            return
        model = project.models.add(ModelRecord("bench pose model", "pose", "models/bench"))
        for start in range(0, frames, 5000):
            project.instances.add_many(
                Instance(
                    video.id, f, track_id=tracks[n].id, skeleton_id=skeleton.id, box=Box(12 + 20 * n, 70, 28 + 20 * n, 100),
                    keypoints=pose(20 + 20 * n + rng.normal(0, 0.5), 74), keypoint_scores=np.full(len(NODES), 0.9, np.float32),
                    source="predicted", score=float(rng.uniform(0.3, 1.0)), model_id=model.id,
                )  # fmt: skip
                for f in range(start, min(start + 5000, frames))
                for n in range(per_frame)
            )


class Driver:
    """Sends events to the window and times each one to the repaint."""

    def __init__(self, app: QApplication, window: MainWindow) -> None:
        self.app, self.window = app, window
        self.latencies: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}  # the GUI thread's own CPU time per event
        self.stalls: dict[str, list[float]] = {}

    def timed(self, action: str, send: Callable[[], None]) -> None:
        began, cpu = time.perf_counter(), time.thread_time()
        send()
        self.app.processEvents()  # what the event caused, and the update requests it posted...
        self.app.processEvents()  # ...painted: the widgets it dirtied are on screen
        self.latencies.setdefault(action, []).append((time.perf_counter() - began) * 1e3)
        self.cpu.setdefault(action, []).append((time.thread_time() - cpu) * 1e3)

    def settle(self, action: str, ms: float = 150.0) -> None:
        """Run the loop `ms` more; keep the longest stall (deferred work blocks the next event)."""
        late, last = [0.0], [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            late.append(max(0.0, (now - last[0]) * 1e3 - 5))
            last[0] = now

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.timeout.connect(tick)
        timer.start(5)
        end = time.perf_counter() + ms / 1e3
        while time.perf_counter() < end:
            self.app.processEvents()
            time.sleep(0.001)
        timer.stop()
        self.stalls.setdefault(action, []).append(max(late))

    def at(self, x: float, y: float):
        return self.window.view.mapFromScene(QPointF(x, y))

    def drag(self, action: str, start: tuple[float, float], steps: int = 8, dx: float = 1.0) -> None:
        viewport = self.window.view.viewport()
        x, y = start
        self.timed(action, lambda: QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, self.at(x, y)))
        for n in range(1, steps + 1):
            self.timed(action, lambda n=n: QTest.mouseMove(viewport, self.at(x + dx * n, y + dx * n)))
        self.timed(action, lambda: QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, self.at(x + dx * steps, y + dx * steps)))
        self.settle(action)

    def key(self, action: str, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        self.timed(action, lambda: QTest.keyClick(self.window, key, modifiers))
        self.settle(action)


def wait(app: QApplication, done, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        app.processEvents()
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for the window")


def measure(app: QApplication, folder: Path, repeats: int, predicted: bool) -> Driver:
    window = MainWindow(folder)
    window.resize(1600, 1000)
    window.show()
    window.activateWindow()
    wait(app, window.isActiveWindow)
    shown: list[int] = []
    window.frame_shown.connect(shown.append)
    driver = Driver(app, window)
    project = window.project
    video_id = window.state.video_id
    QInputDialog.getItem = staticmethod(lambda *args, **kwargs: (args[3][0], True))  # the swap's track chooser
    rng = np.random.default_rng(1)
    frames = rng.choice(np.arange(LABEL_EVERY, window.state.frame_count - LABEL_EVERY, LABEL_EVERY), size=repeats, replace=False)
    for frame in frames:
        frame = int(frame)
        window.state.set_frame(frame)
        wait(app, lambda: frame in shown)
        window.view.fit()
        window.activateWindow()
        user = project.instances.on_frame(video_id, frame, source="user")
        driver.drag("drag node", (float(user[0].keypoints[0, 0]), float(user[0].keypoints[0, 1])))
        box = project.instances.get(user[1].id).box
        driver.drag("move box", ((box.x1 + box.x2) / 2, box.y2 - 3))
        if predicted:
            first, second, third = project.instances.on_frame(video_id, frame, source="predicted")[:3]
            window.state.select(first.id)
            driver.key("accept", Qt.Key.Key_Return, CTRL)
            window.state.select(second.id)
            driver.key("reject", Qt.Key.Key_Delete, SHIFT)
            window.state.select(third.id)
            driver.key("swap identity from here", Qt.Key.Key_S, CTRL | SHIFT)
        window.state.select(user[0].id)
        driver.key("delete", Qt.Key.Key_Delete)
        driver.key("undo", Qt.Key.Key_Z, CTRL)
        driver.key("redo", Qt.Key.Key_Z, CTRL | SHIFT)
    window.close()
    return driver


def describe(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=12, help="frames each action is done on")
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--per-frame", type=int, default=5, help="predicted instances per frame")
    parser.add_argument("--switch-ms", type=float, default=None, help="sys.setswitchinterval (experiment)")
    args = parser.parse_args()
    if args.switch_ms:
        import sys

        sys.setswitchinterval(args.switch_ms / 1000)
    app = QApplication.instance() or QApplication([])
    root = Path(tempfile.mkdtemp(prefix="ethoframe-edit-"))
    began = time.perf_counter()
    write_video(root / "long.mp4", args.frames)
    print(f"wrote a {args.frames}-frame video in {time.perf_counter() - began:.1f} s")
    drivers = {}
    for name, per_frame in (("labels only", 0), (f"+ {args.frames * args.per_frame:,} predictions", args.per_frame)):
        began = time.perf_counter()
        build(root / name.replace(" ", "_").replace(",", ""), root / "long.mp4", args.frames, per_frame)
        print(f"built '{name}' in {time.perf_counter() - began:.1f} s")
        drivers[name] = measure(app, root / name.replace(" ", "_").replace(",", ""), args.repeats, bool(per_frame))
    plain, crowded = drivers.values()
    print(f"\n{'action':<26}{'labels only: median / p95':>28}{'predicted: median / p95':>28}{'GUI CPU':>10}{'stall after p95':>18}{'ratio':>8}")
    for action, values in crowded.latencies.items():
        median, p95 = describe(values)
        stall = float(np.percentile(crowded.stalls[action], 95))
        base = plain.latencies.get(action)
        base_text = "%7.1f / %6.1f ms" % describe(base) if base else "(no predictions)"
        ratio = f"{median / statistics.median(base):.2f}" if base else "-"
        cpu = statistics.median(crowded.cpu[action])
        print(f"{action:<26}{base_text:>28}{f'{median:7.1f} / {p95:6.1f} ms':>28}{f'{cpu:6.1f} ms':>10}{f'{stall:7.1f} ms':>18}{ratio:>8}")
    print("goals: median < 16 ms, p95 < 33 ms, ratio <= 1.5 (accept, reject and swap need predictions: their baseline is none)")
    print("GUI CPU: the median CPU time of the GUI thread itself per event (the rest of the latency is waiting for a core)")


if __name__ == "__main__":
    main()
