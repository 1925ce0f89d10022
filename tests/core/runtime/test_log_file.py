"""The log file: in the user's data folder on each platform (or where $ETHOFRAME_LOG_DIR says),
rotated at 1 MB with five old files, Ethoframe's own records only, and never a reason to fail."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import pytest

from core.runtime import log_file
from core.runtime.log_file import details_hint, log_folder, setup_logging, shutdown_logging, with_details


@pytest.fixture
def logs(tmp_path, monkeypatch):
    monkeypatch.setenv("ETHOFRAME_LOG_DIR", str(tmp_path / "logs"))
    yield tmp_path / "logs"
    shutdown_logging()


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {}, "home/.local/share/ethoframe/logs"),
        ("linux", {"XDG_DATA_HOME": "{tmp}/data"}, "data/ethoframe/logs"),
        ("darwin", {}, "home/Library/Logs/Ethoframe"),
        ("win32", {"LOCALAPPDATA": "{tmp}/AppData/Local"}, "AppData/Local/Ethoframe/Logs"),
    ],
)
def test_the_folder_is_the_users_data_folder_on_each_platform(tmp_path, monkeypatch, platform, env, expected):
    monkeypatch.delenv("ETHOFRAME_LOG_DIR")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setattr(log_file.sys, "platform", platform)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "home"))
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    assert log_folder() == tmp_path / expected


def test_records_of_ethoframe_go_to_a_rotating_file_and_others_do_not(logs):
    path = setup_logging()
    assert path == logs / "ethoframe.log" and setup_logging() == path  # twice: one handler
    logging.getLogger("core.somewhere").info("a job started")
    logging.getLogger("gui.somewhere").error("a job failed")
    logging.getLogger("core.somewhere").debug("too fine to keep")
    logging.getLogger("otherlib").warning("not ours")
    text = path.read_text()
    assert "INFO core.somewhere: a job started" in text and "ERROR gui.somewhere: a job failed" in text
    assert "too fine" not in text and "not ours" not in text and text.count("a job started") == 1
    (handler,) = [h for h in logging.getLogger("core").handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert handler.maxBytes == 1_000_000 and handler.backupCount == 5
    assert details_hint() == f" (details in {path})"
    assert with_details("it failed") == f"it failed (details in {path})" and with_details(f"see {path}") == f"see {path}"


def test_it_follows_a_changed_folder_and_gives_up_quietly_when_it_cannot_write(logs, tmp_path, monkeypatch):
    setup_logging()
    monkeypatch.setenv("ETHOFRAME_LOG_DIR", str(tmp_path / "elsewhere"))
    assert setup_logging() == tmp_path / "elsewhere" / "ethoframe.log"
    logging.getLogger("core.x").warning("moved")
    assert "moved" in (tmp_path / "elsewhere" / "ethoframe.log").read_text()
    (tmp_path / "a file").write_text("")
    monkeypatch.setenv("ETHOFRAME_LOG_DIR", str(tmp_path / "a file" / "logs"))  # cannot be made
    assert setup_logging() is None and details_hint() == "" and with_details("it failed") == "it failed"
    logging.getLogger("core.x").error("nowhere to go")  # and nothing raises
