"""Two labellers on one project (run on SQLite and on PostgreSQL, see tests/conftest.py): who
made and changed each label and when, a stale write refused with who changed it, and each
window told what the other one committed."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from core.domain import Behaviour, BehaviourEvent, Box, Instance
from core.edits import AddInstance, EditHistory, set_box
from core.project import ConflictError, Project
from core.project.changes import ChangeWatcher
from core.project.location import open_project


@pytest.fixture
def ben(project, monkeypatch):
    """A second labeller's own connection to the same project."""
    monkeypatch.setenv("ETHOFRAME_USER", "ben")
    other = open_project(project.location)
    monkeypatch.delenv("ETHOFRAME_USER")
    yield other
    other.close()


def test_every_label_and_event_says_who_made_and_changed_it_and_when(project, video, ben):
    project.db.user = "ana"
    start = time.time()
    made = project.instances.add(Instance(video.id, 4, box=Box(0, 0, 5, 5)))
    stamp = project.instances.get(made.id).stamp
    assert (stamp.version, stamp.created_by, stamp.changed_by) == (1, "ana", None)
    assert abs(stamp.created_at - start) < 60
    ben.instances.update(made.id, box=Box(1, 1, 6, 6))
    stamp = project.instances.get(made.id).stamp
    assert (stamp.version, stamp.created_by, stamp.changed_by) == (2, "ana", "ben")
    assert "made by ana" in stamp.describe(time.time()) and "changed by ben" in stamp.describe(time.time())
    groom = project.behaviours.add(Behaviour("groom", "g"))
    event = ben.events.add(BehaviourEvent(video.id, groom.id, 3, 9))
    assert project.events.get(event.id).stamp.created_by == "ben"
    counts = project.users.counts()
    assert counts["ana"]["labels"] == 1 and counts["ben"]["labels_last_changed"] == 1 and counts["ben"]["events"] == 1


def test_a_change_from_a_stale_view_is_refused_saying_who_changed_it(project, video, ben):
    made = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 5, 5)))
    history = EditHistory(project)
    stale = set_box(project, made.id, Box(2, 2, 8, 8))  # built from what this window read
    ben.instances.update(made.id, box=Box(9, 9, 20, 20))  # ben commits first
    with pytest.raises(ConflictError, match=r"instance \d+ was changed by ben \d+ s ago: reloaded"):
        history.push(stale)
    assert project.instances.get(made.id).box == Box(9, 9, 20, 20)  # ben's stays
    assert history.texts() == ([], [])


def test_undo_never_overwrites_another_labellers_change(project, video, ben):
    history = EditHistory(project)
    made = history.push(AddInstance(Instance(video.id, 0, box=Box(0, 0, 5, 5)))).instance
    history.push(set_box(project, made.id, Box(1, 1, 9, 9)))
    history.push(set_box(project, made.id, Box(2, 2, 9, 9)))
    history.undo()  # our own later change undone first: the earlier one still undoes
    history.redo()
    ben.instances.update(made.id, class_id=None, box=Box(30, 30, 40, 40))
    with pytest.raises(ConflictError, match="ben"):
        history.undo()
    assert project.instances.get(made.id).box == Box(30, 30, 40, 40)
    with pytest.raises(ConflictError):  # nor delete it from under them by undoing its addition
        history.undo()
        history.undo()
    assert project.instances.get(made.id).box == Box(30, 30, 40, 40)


def test_two_writers_racing_for_one_instance_never_both_win(project, video, ben):
    made = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 5, 5)))
    outcomes: list[str] = []

    def write(who: Project, x: float) -> None:
        try:
            who.instances.update(made.id, expected_version=1, box=Box(x, x, x + 5, x + 5))
            outcomes.append("won")
        except ConflictError:
            outcomes.append("refused")

    threads = [threading.Thread(target=write, args=(p, x)) for p, x in ((project, 10.0), (ben, 20.0))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "won"]
    assert project.instances.get(made.id).stamp.version == 2


def test_a_window_is_told_what_the_other_committed_within_a_second(project, video, ben):
    received: list = []
    arrived = threading.Event()

    def on_changes(changes) -> None:
        received.extend(changes)
        arrived.set()

    watcher = ChangeWatcher(project.db, on_changes, interval=0.05).start()
    try:
        project.instances.add(Instance(video.id, 1, box=Box(0, 0, 5, 5)))  # our own: not reported
        start = time.perf_counter()
        made = ben.instances.add(Instance(video.id, 7, box=Box(0, 0, 5, 5)))
        assert arrived.wait(5), "no change arrived"
        latency = time.perf_counter() - start
        time.sleep(0.2)
    finally:
        watcher.stop()
    (change,) = received
    assert (change.topic, change.video_id, change.frame_index, change.instance_ids, change.by) == (
        "instances", video.id, 7, (made.id,), ben.user,
    )  # fmt: skip
    assert latency < 1.0


def test_a_rolled_back_transaction_tells_nobody(project, video, ben):
    received: list = []
    watcher = ChangeWatcher(project.db, received.extend, interval=0.05).start()
    try:
        with pytest.raises(RuntimeError), ben.transaction():
            ben.instances.add(Instance(video.id, 2, box=Box(0, 0, 5, 5)))
            raise RuntimeError("the import failed half-way")
        ben.instances.add(Instance(video.id, 3, box=Box(0, 0, 5, 5)))
        deadline = time.monotonic() + 5
        while not received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        watcher.stop()
    assert [c.frame_index for c in received] == [3]


@pytest.mark.sqlite_only
def test_a_version_3_project_gains_who_and_when(project, video):
    project.instances.add(Instance(video.id, 0, box=Box(0, 0, 5, 5)))
    folder = project.folder
    project.close()
    connection = sqlite3.connect(folder / "project.sqlite")
    for table in ("instances", "behaviour_events"):
        for column in ("version", "created_by", "created_at", "changed_by", "changed_at"):
            connection.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    connection.execute("DROP TABLE users")
    connection.execute("DROP TABLE changes")
    connection.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()
    with Project.open(folder) as upgraded:
        (kept,) = upgraded.instances.on_frame(video.id, 0)
        assert (kept.stamp.version, kept.stamp.created_by) == (1, None)
        upgraded.instances.update(kept.id, expected_version=1, box=Box(1, 1, 2, 2))
        assert upgraded.users.counts()["unknown"]["labels"] == 1


@pytest.mark.slow
def test_a_server_lost_mid_session_refuses_edits_in_one_line_and_loses_none(tmp_path):
    import postgres_server as servers

    try:
        server = servers.start(private=True)
    except RuntimeError as error:
        pytest.skip(f"no PostgreSQL server: {error}")
    statuses: list = []
    try:
        url = server.database_url(server.create_database())
        with open_project(url, create=True, folder=tmp_path) as project:
            from core.domain import Video

            video = project.videos.add(Video("/lab/a.mp4", 10, 30.0, 64, 48, "a" * 64))
            made = project.instances.add(Instance(video.id, 0, box=Box(0, 0, 5, 5)))
            watcher = ChangeWatcher(project.db, lambda _c: None, statuses.append, interval=0.05).start()
            server.pause()
            from core.project import ServerError

            with pytest.raises(ServerError) as refused:
                project.instances.update(made.id, box=Box(1, 1, 6, 6))
            assert "\n" not in str(refused.value) and "cannot reach the PostgreSQL server" in str(refused.value)
            server.resume()
            deadline = time.monotonic() + 10
            while None not in statuses and time.monotonic() < deadline:
                time.sleep(0.05)
            assert statuses and statuses[0] and statuses[-1] is None  # lost, said once, then back
            assert project.instances.get(made.id).box == Box(0, 0, 5, 5)  # the refused edit left nothing
            project.instances.update(made.id, box=Box(2, 2, 7, 7))  # and edits work again
            watcher.stop()
    finally:
        server.stop()


@pytest.mark.slow
def test_two_client_processes_lose_no_edit_and_their_views_converge(project, video):
    """Two real labelling processes for 15 s, half their edits on the same five instances."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    ids = [project.instances.add(Instance(video.id, 0, box=Box(0, 0, 5, 5))).id for _ in range(12)]
    here = Path(__file__).resolve().parent
    root = here.parents[2]
    clients = [
        subprocess.Popen([sys.executable, str(here / "team_client.py"), project.location, "15", str(seed), user],
                         cwd=root, stdout=subprocess.PIPE, text=True)  # fmt: skip
        for seed, user in ((1, "ana"), (2, "ben"))
    ]
    results = [json.loads(c.communicate(timeout=120)[0].strip().splitlines()[-1]) for c in clients]
    assert all(c.returncode == 0 for c in clients)
    made = {**results[0]["made"], **results[1]["made"]}
    assert len(made) == len(results[0]["made"]) + len(results[1]["made"])  # no version made twice
    truth = {}
    for instance_id in ids:
        instance = project.instances.get(instance_id)
        truth[str(instance_id)] = list(instance.box.as_tuple())
        if instance.stamp.version > 1:  # the last committed edit is what the row holds: none lost
            assert made[f"{instance_id}:{instance.stamp.version}"] == truth[str(instance_id)]
    assert all(r["view"] == truth for r in results)  # both windows show what the database holds
    assert sum(len(r["made"]) for r in results) > 200
    assert all(r["attempts"] == len(r["made"]) + r["refused"] for r in results)  # every write: committed or refused
    print("refused (conflicts):", [r["refused"] for r in results], "committed:", [len(r["made"]) for r in results])


def test_each_workstation_maps_the_video_share_to_its_own_path(project, tmp_path, monkeypatch):
    """The project knows /mnt/lab/...; ben's machine mounts it at tmp/Volumes/lab."""
    from core.domain import Video

    project.videos.add(Video("/mnt/lab/cage1.mp4", 10, 30.0, 64, 48, "c" * 64))
    mount = tmp_path / "Volumes" / "lab"
    mount.mkdir(parents=True)
    (mount / "cage1.mp4").write_bytes(b"x")
    monkeypatch.setenv("ETHOFRAME_USER", "ben")
    with open_project(project.location) as ben:
        assert [v.path for v in ben.videos.missing()] == ["/mnt/lab/cage1.mp4"]
        ben.map_video_root("/mnt/lab", mount)
        assert ben.videos.missing() == [] and ben.videos.all()[0].path == str(mount / "cage1.mp4")
        added = ben.videos.add(Video(str(mount / "cage2.mp4"), 10, 30.0, 64, 48, "d" * 64))
    monkeypatch.delenv("ETHOFRAME_USER")
    with open_project(project.location) as again:  # ana's view: the project's own paths
        assert again.videos.get(added.id).path == "/mnt/lab/cage2.mp4"
    monkeypatch.setenv("ETHOFRAME_USER", "ben")
    with open_project(project.location) as ben:  # ben's mapping was remembered
        assert ben.videos.get(added.id).path == str(mount / "cage2.mp4")
