"""Shared projects from the command line: `ethoframe new postgresql://...`, every project
command on the URL, who labelled what, and one clear line for each way a server can refuse
(unreachable, wrong password, a newer schema, a database that is not a project). Passwords come
from PGPASSWORD or ~/.pgpass and are never printed."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from core.cli.main import main
from core.domain import Box, Instance
from core.project.location import open_project

pytest.importorskip("psycopg")


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


def test_new_add_video_info_and_who_labelled_what(postgres_server, tmp_path, tiny_video, capsys, monkeypatch):
    name = f"mice_{os.getpid()}"
    url = postgres_server.database_url(name)  # not there yet: `new` makes it
    try:
        assert main(["--folder", str(tmp_path / "ana"), "new", url]) == 0
        out = capsys.readouterr().out
        assert "created shared project" in out and str(tmp_path / "ana") in out
        assert main(["add-video", url, str(tiny_video)]) == 0
        with open_project(url) as project:  # the folder was remembered for this user
            assert project.folder == tmp_path / "ana"
            video = project.videos.all()[0]
            project.instances.add(Instance(video.id, 1, box=Box(0, 0, 5, 5)))
        monkeypatch.setenv("ETHOFRAME_USER", "ben")
        with open_project(url, folder=tmp_path / "ben") as project:
            project.instances.add(Instance(video.id, 2, box=Box(0, 0, 5, 5)))
            project.instances.add(Instance(video.id, 3, box=Box(0, 0, 5, 5)))
        monkeypatch.delenv("ETHOFRAME_USER")
        capsys.readouterr()
        assert main(["info", url]) == 0
        out = capsys.readouterr().out
        assert "your folder" in out and "frames labeled" in out
        assert main(["info", url, "--by-user", "--json"]) == 0
        import json

        counts = json.loads(capsys.readouterr().out)
        assert counts["ben"]["labels"] == 2 and sum(c["labels"] for c in counts.values()) == 3
        assert main(["check", url]) == 0
        assert "schema: ok" in capsys.readouterr().out
        assert main(["backup", url, str(tmp_path / "b")]) == 1
        assert "pg_dump" in _one_line(capsys)
        assert main(["new", url]) == 1  # already a project
        assert "already" in _one_line(capsys) or "project" in capsys.readouterr().err
    finally:
        postgres_server.drop_database(name)


def test_a_password_in_the_url_is_refused_and_never_printed(capsys):
    assert main(["info", "postgresql://ana:s3cret@lab-server/mice"]) == 1
    line = _one_line(capsys)
    assert "s3cret" not in line and "~/.pgpass" in line and "***" in line


def test_an_unreachable_server_is_one_line(capsys):
    assert main(["info", "postgresql://ana@127.0.0.1:1/mice"]) == 1
    line = _one_line(capsys)
    assert "cannot reach the PostgreSQL server" in line and "127.0.0.1:1/mice" in line


def test_wrong_password_and_right_one_from_pgpass(postgres_server, postgres_database, tmp_path, capsys, monkeypatch):
    if postgres_server.tcp_url is None:
        pytest.skip("the test server has no password-protected TCP address")
    from postgres_server import PASSWORD

    database = postgres_database.rsplit("/", 1)[1].split("?")[0]
    url = postgres_server.database_url(database, tcp=True)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PGPASSFILE", raising=False)
    monkeypatch.setenv("PGPASSWORD", "wrong")
    assert main(["new", url]) == 1
    line = _one_line(capsys)
    assert "refused the password" in line and "wrong" not in line.replace("wrong password", "")
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / ".pgpass"
    pgpass.write_text(f"127.0.0.1:*:*:ethoframe:{PASSWORD}\n")
    pgpass.chmod(0o600)
    assert main(["new", url]) == 0
    assert PASSWORD not in capsys.readouterr().out


def test_a_newer_schema_is_refused_unchanged(postgres_database, tmp_path, capsys):
    open_project(postgres_database, create=True, folder=tmp_path).close()
    engine = create_engine(postgres_database.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    assert main(["info", postgres_database]) == 1
    assert "newer Ethoframe (schema 99" in _one_line(capsys)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one() == "99"
    engine.dispose()


def test_a_database_that_is_not_a_project_is_one_line(postgres_database, capsys):
    assert main(["info", postgres_database]) == 1  # empty
    assert "not an Ethoframe project" in _one_line(capsys)
    engine = create_engine(postgres_database.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE grades (student text)"))
    engine.dispose()
    assert main(["info", postgres_database]) == 1
    assert "1 other tables" in _one_line(capsys)
    assert main(["new", postgres_database]) == 1  # never turned into a project over someone's tables
    assert "not an Ethoframe project" in _one_line(capsys)


def test_a_missing_database_names_the_command_that_makes_it(postgres_server, capsys):
    assert main(["info", postgres_server.database_url("no_such_lab")]) == 1
    assert "has no database 'no_such_lab'" in _one_line(capsys)


def test_a_service_file_names_the_server(postgres_server, postgres_database, tmp_path, capsys, monkeypatch):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_database)
    service = tmp_path / "pg_service.conf"
    service.write_text(f"[lab]\nhost={url.query['host']}\nport={url.query['port']}\ndbname={url.database}\nuser=ethoframe\n")
    monkeypatch.setenv("PGSERVICEFILE", str(service))
    assert main(["--folder", str(tmp_path / "mine"), "new", "postgresql:///?service=lab"]) == 0
    assert "created shared project" in capsys.readouterr().out
    assert main(["info", "postgresql:///?service=lab"]) == 0
    assert "your folder" in capsys.readouterr().out
