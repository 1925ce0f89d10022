"""Team labelling: how fast one labeller's edit reaches another's window, what an edit costs on
PostgreSQL against SQLite, and what a server holds with several labellers at once.

    python bench/bench_team.py [--url postgresql://...] [--edits 300] [--clients 8] [--seconds 120]

Without `--url` a throwaway PostgreSQL server is started (tests/postgres_server.py: Debian's
`postgresql` package, fsync off as in the tests, so commit latency is the server's work, not
the disk's). Prints, in one run:
- commit latency of one edit (set_box through the edit history), SQLite vs PostgreSQL, median/p95;
- commit -> other client told (ChangeWatcher callback), median/p95, on both stores: PostgreSQL's
  LISTEN/NOTIFY, SQLite's data_version poll (every 0.1 s, as the window uses);
- commit -> the other client's open window (the real MainWindow, offscreen) drew the new label;
- N labelling clients (separate processes) editing one PostgreSQL project for S seconds, some
  on the same instances: edits/s held, p95 commit latency, conflicts refused, and a check that
  no committed edit was lost (every instance ends as the client that made its last version left it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from core.domain import Box, Instance, Video  # noqa: E402
from core.edits import EditHistory, set_box  # noqa: E402
from core.project import ConflictError, Project  # noqa: E402
from core.project.changes import ChangeWatcher  # noqa: E402
from core.project.location import open_project  # noqa: E402

SHARED_INSTANCES = 40  # the instances every client may edit (conflicts happen here)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {pct(values, 0.95) * 1000:.1f} ms (n={len(values)})"


def fill(project: Project, n: int) -> list[int]:
    video = project.videos.add(Video("/bench/v.mp4", 1000, 30.0, 640, 480, "e" * 64))
    return [project.instances.add(Instance(video.id, k % 1000, box=Box(0, 0, 10, 10))).id for k in range(n)]


def commit_latency(project: Project, ids: list[int], edits: int) -> list[float]:
    history, rng, times = EditHistory(project), random.Random(1), []
    for _ in range(edits):
        x = rng.uniform(0, 600)
        edit = set_box(project, rng.choice(ids), Box(x, x / 2, x + 20, x / 2 + 20))
        start = time.perf_counter()
        history.push(edit)
        times.append(time.perf_counter() - start)
    return times


def propagation(writer: Project, reader: Project, ids: list[int], edits: int) -> list[float]:
    """Seconds from the writer's commit returning to the reader's watcher callback."""
    arrived, seen = threading.Event(), []
    watcher = ChangeWatcher(reader.db, lambda changes: (seen.append(time.perf_counter()), arrived.set())).start()
    rng, latencies = random.Random(2), []
    try:
        for _ in range(edits):
            arrived.clear()
            x = rng.uniform(0, 600)
            writer.instances.update(rng.choice(ids), box=Box(x, x, x + 5, x + 5))
            committed = time.perf_counter()
            if arrived.wait(5):
                latencies.append(max(0.0, seen[-1] - committed))
            time.sleep(rng.uniform(0, watcher.interval))  # edits do not come in lockstep with the poll
    finally:
        watcher.stop()
    return latencies


def window_latency(location: str, edits: int) -> list[float]:
    """Seconds from another client's commit to the open window drawing the new instance (the
    real MainWindow, offscreen: watcher -> ExternalChange -> targeted refresh -> canvas)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from gui.app import MainWindow

    from core.workflows.videos import add_videos
    from video_files import write_test_video

    app = QApplication.instance() or QApplication([])
    other, latencies = open_project(location), []
    (video,) = add_videos(other, [write_test_video(Path(tempfile.mkdtemp()) / "w.mp4", frames=20, width=320, height=240)])
    window = MainWindow(location)
    window.show()
    window._select_video(video.id)
    deadline = time.perf_counter() + 10
    while window.state.video_id != video.id and time.perf_counter() < deadline:
        app.processEvents()
    video_id = video.id
    window.state.set_frame(5)
    for _ in range(50):
        app.processEvents()
    try:
        for k in range(edits):
            shown = len(window.view.instance_items)
            other.instances.add(Instance(video_id, 5, box=Box(k % 300, 10, k % 300 + 9, 19)))
            committed, deadline = time.perf_counter(), time.perf_counter() + 5
            while len(window.view.instance_items) == shown and time.perf_counter() < deadline:
                app.processEvents()
                time.sleep(0.0005)
            if len(window.view.instance_items) > shown:
                latencies.append(time.perf_counter() - committed)
            pause = time.perf_counter() + random.uniform(0, 0.1)  # not in step with SQLite's poll
            while time.perf_counter() < pause:
                app.processEvents()
                time.sleep(0.001)
    finally:
        other.close()
        window.close()
    return latencies


def client(url: str, seconds: float, seed: int, user: str) -> None:
    """One labelling process: random box edits, a third of them on the shared instances."""
    os.environ["ETHOFRAME_USER"] = user
    rng = random.Random(seed)
    with open_project(url) as project:
        video = project.videos.all()[0]
        own = [project.instances.add(Instance(video.id, rng.randrange(1000), box=Box(0, 0, 9, 9))).id for _ in range(20)]
        shared = list(range(1, SHARED_INSTANCES + 1))
        history = EditHistory(project)
        made, latencies, conflicts = {}, [], 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            target = rng.choice(shared) if rng.random() < 0.33 else rng.choice(own)
            x = round(rng.uniform(0, 600), 2)
            box = Box(x, x, x + 7, x + 7)
            start = time.perf_counter()
            try:
                edit = set_box(project, target, box)
                history.push(edit)
            except ConflictError:
                conflicts += 1
                continue
            latencies.append(time.perf_counter() - start)
            made[f"{target}:{edit.version}"] = [box.x1, box.y1, box.x2, box.y2]
            time.sleep(rng.uniform(0.0, 0.02))  # a person is slower still; this is a stress
    print(json.dumps({"edits": len(latencies), "latencies": latencies, "conflicts": conflicts, "made": made}))


def concurrent(url: str, clients: int, seconds: float) -> None:
    procs = [
        subprocess.Popen([sys.executable, __file__, "--client", url, "--seconds", str(seconds), "--seed", str(k),
                          "--user", f"labeller{k}"], stdout=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
        for k in range(clients)
    ]
    results = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    latencies = [v for r in results for v in r["latencies"]]
    edits, conflicts = sum(r["edits"] for r in results), sum(r["conflicts"] for r in results)
    made = {}
    for r in results:
        made.update(r["made"])
    lost = 0
    with open_project(url) as project:
        video = project.videos.all()[0]
        for instances in project.instances.on_frames(video.id, 0, 1000).values():
            for instance in instances:
                key = f"{instance.id}:{instance.stamp.version}"
                if instance.stamp.version > 1 and key in made:
                    box = instance.box
                    lost += [box.x1, box.y1, box.x2, box.y2] != made[key]
                elif instance.stamp.version > 1:
                    lost += 1  # a version nobody reported committing
    print(f"{clients} clients x {seconds:g} s on one PostgreSQL project ({os.cpu_count()} CPU cores, server included):")
    print(f"  {edits / seconds:.0f} edits/s held ({edits} edits), commit {ms(latencies)}")
    print(f"  {conflicts} stale writes refused (ConflictError), {lost} edits lost")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="an empty database on a PostgreSQL server (default: a throwaway server)")
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--client", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--user", default="bench", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(args.client, args.seconds, args.seed, args.user)
        return

    server = None
    if args.url is None:
        import postgres_server

        server = postgres_server.start(private=True)
        url = server.database_url(server.create_database())
    else:
        url = args.url
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sqlite = Project.create(Path(tmp) / "p")
            shared = open_project(url, create=True, folder=Path(tmp) / "folder")
            for name, project in (("SQLite", sqlite), ("PostgreSQL", shared)):
                ids = fill(project, SHARED_INSTANCES)
                print(f"{name}: edit commit {ms(commit_latency(project, ids, args.edits))}")
            for name, project in (("SQLite (data_version poll, 0.1 s)", sqlite), ("PostgreSQL (LISTEN/NOTIFY)", shared)):
                other = open_project(project.location)
                ids = list(range(1, SHARED_INSTANCES + 1))
                print(f"{name}: commit -> other client told {ms(propagation(other, project, ids, min(args.edits, 200)))}")
                other.close()
            locations = [("SQLite", sqlite.location), ("PostgreSQL", shared.location)]
            sqlite.close()
            shared.close()
            for name, location in locations:
                print(f"{name}: commit -> other window drew it {ms(window_latency(location, min(args.edits, 100)))}")
            if args.clients:
                concurrent(url, args.clients, args.seconds)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
