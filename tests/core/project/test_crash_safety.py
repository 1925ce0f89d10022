"""No committed edit is lost when the process is killed, and two processes share a project
without "database is locked"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.domain import Box, Instance
from core.edits import AddInstance, EditHistory, set_box
from core.project import Project

WRITER = Path(__file__).with_name("concurrent_writer.py")
REPO = Path(__file__).resolve().parents[3]


def _spawn(mode: str, project: Project, video_id: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, str(WRITER), mode, str(project.folder), str(video_id)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def test_sigkill_mid_stream_loses_no_committed_edit(project, video):
    child = _spawn("edits", project, video.id)
    committed = []
    for line in child.stdout:  # each line is printed after its edits committed
        instance_id, n = map(int, line.split())
        committed.append((instance_id, n))
        if len(committed) == 150:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL

    project.close()
    with Project.open(project.folder) as reopened:
        with reopened.db.reading() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        for instance_id, n in committed:
            assert reopened.instances.get(instance_id).box == Box(n, n, n + 10, n + 10)
        # and the project still takes edits
        EditHistory(reopened).push(AddInstance(Instance(video.id, 0, box=Box(0, 0, 1, 1))))


@pytest.mark.slow
def test_gui_edits_and_a_prediction_job_share_the_project(project, video):
    job = _spawn("predictions", project, video.id)
    history = EditHistory(project)
    made = 0
    while job.poll() is None or made < 100:
        added = history.push(AddInstance(Instance(video.id, 20_000 + made, box=Box(0, 0, 5, 5)))).instance
        history.push(set_box(project, added.id, Box(1, 1, 6, 6)))
        project.instances.on_frame(video.id, made)
        made += 1
    out, err = job.communicate()
    assert job.returncode == 0, err
    assert "locked" not in err
    assert out.strip().splitlines()[-1] == "done"
    assert project.counts().instances_predicted == 40 * 250
    assert project.counts().instances_user == made
