"""A failed command writes its traceback into the log file, and its one line names that file."""

from __future__ import annotations

import pytest

from core.cli import project_commands
from core.cli.main import main
from core.project import Project
from core.runtime.log_file import shutdown_logging


@pytest.fixture
def logs(tmp_path, monkeypatch):
    monkeypatch.setenv("ETHOFRAME_LOG_DIR", str(tmp_path / "logs"))
    yield tmp_path / "logs" / "ethoframe.log"
    shutdown_logging()


def test_a_bug_is_one_line_naming_the_log_which_holds_the_traceback(tmp_path, logs, monkeypatch, capsys):
    Project.create(tmp_path / "p").close()

    def broken(_args):
        raise KeyError("a bug deep inside")

    monkeypatch.setattr(project_commands, "run_info", broken)
    assert main(["info", str(tmp_path / "p")]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("ethoframe info: error: KeyError: 'a bug deep inside' (this is a bug in Ethoframe")
    assert f"the details are in {logs};" in line
    text = logs.read_text()
    assert "ERROR core.cli.main: ethoframe info: KeyError" in text
    assert "Traceback (most recent call last)" in text and 'raise KeyError("a bug deep inside")' in text


def test_a_user_error_names_the_log_too(tmp_path, logs, capsys):
    assert main(["info", str(tmp_path / "nowhere")]) == 1
    line = capsys.readouterr().err.strip()
    assert line == f"ethoframe info: error: {tmp_path / 'nowhere'} is not an Ethoframe project (no project.sqlite in it) (details in {logs})"
    assert "NotAProjectError" in logs.read_text()
