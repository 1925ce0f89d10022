"""Where a project lives: a folder on this machine, or a database on a lab's PostgreSQL server
(`postgresql://lab-server/mice`), and opening either from what a user typed.

Credentials never travel in the project or on screen: a URL carrying a password is refused
(it would sit in the shell history, the process list and the window title); libpq finds the
password where every PostgreSQL tool looks (`~/.pgpass`, `PGPASSWORD`, a service file named by
`?service=`). Every URL shown is masked first.

A shared project has no folder of its own: each labeller chooses one for the models they train
and the exports they write, and the project records it under their user name (`users`).
"""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from core.project.errors import NotAProjectError, ProjectError, ServerError

_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://", "postgres://")


def is_url(location: str | Path) -> bool:
    """Whether `location` names a database server rather than a folder."""
    return isinstance(location, str) and location.lower().startswith(_SCHEMES)


def project_location(text: str) -> str | Path:
    """argparse type: a folder (Path) or a `postgresql://` URL (str)."""
    return text if is_url(text) else Path(text)


def current_user() -> str:
    """Who is labelling: `ETHOFRAME_USER` (set by `--user`), else the operating system's user."""
    name = os.environ.get("ETHOFRAME_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user database entry (a container): still someone
        return "unknown"


def mask(url: str | URL) -> str:
    """`url` with any password replaced by ***: what may be printed (as typed when it has none)."""
    try:
        parsed = make_url(url)
        if parsed.password is None and isinstance(url, str):
            return url
        return parsed.render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(url))


def engine_url(url: str) -> URL:
    """The SQLAlchemy URL for what a user typed: `postgresql://` means psycopg (3)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ServerError(f"{mask(url)} is not a database URL (postgresql://[user@]host[:port]/database)") from None
    if parsed.password is not None:
        raise ServerError(
            f"{mask(url)} carries a password: Ethoframe never keeps or shows one. Put it in ~/.pgpass "
            "(host:port:database:user:password, chmod 600), in PGPASSWORD, or in a service file "
            "(postgresql:///?service=lab), and give the URL without it"
        )
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ServerError(f"{mask(url)}: only PostgreSQL servers can hold a shared project")
    if not parsed.database and "service" not in parsed.query:
        raise ServerError(f"{mask(url)} names no database: add it after the host (postgresql://host/mice)")
    driver = parsed.get_driver_name()
    if driver in ("postgresql", "postgres", "psycopg"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise ServerError('shared projects need psycopg: pip install "ethoframe[postgres]"') from None
        parsed = parsed.set(drivername="postgresql+psycopg")
    query = dict(parsed.query)
    query.setdefault("connect_timeout", "10")  # an unreachable server: a clear line in seconds, not minutes
    query.setdefault("application_name", "ethoframe")
    return parsed.set(query=query)


def describe_server_error(error: BaseException, url: str | URL) -> str:
    """One line for what the driver said when connecting went wrong."""
    original = error.orig if isinstance(error, DBAPIError) else error
    text = str(original).strip()
    where = mask(url)
    parsed = make_url(url) if not isinstance(url, URL) else url
    user = parsed.username or current_user()
    if "password authentication failed" in text:
        return f"{where}: the server refused the password for user {user!r} (from ~/.pgpass, PGPASSWORD or the service file)"
    if "no password supplied" in text:
        return f"{where}: the server wants a password for user {user!r}: put it in ~/.pgpass or PGPASSWORD"
    match = re.search(r'database "([^"]+)" does not exist', text)
    if match:
        return f"{where}: the server has no database {match.group(1)!r} (`ethoframe new {where}` creates one)"
    if "role" in text and "does not exist" in text:
        return f"{where}: the server has no user {user!r} (name another: postgresql://NAME@host/database)"
    if "Connection refused" in text or "could not connect" in text or "timeout expired" in text \
            or "could not translate host name" in text or "No such file or directory" in text:
        reason = text.splitlines()[0].split("failed: ")[-1]
        return f"cannot reach the PostgreSQL server of {where} ({reason}): is it running, and is the address right?"
    return f"{where}: {text.splitlines()[0] if text else type(original).__name__}"


def default_user_folder(url: URL) -> Path:
    """Where a labeller's models and exports of a shared project go unless they choose."""
    name = url.database or url.query.get("service") or "shared"
    return Path.home() / "Ethoframe" / f"{url.host or 'local'}-{name}"


def open_project(location: str | Path, *, create: bool = False, name: str | None = None,
                 folder: str | Path | None = None, drop_foreign_schema: bool = False):
    """Open (or with `create` make) the project at `location`: a folder or a server URL.
    `folder` is, for a shared project, where this user's models and exports go (recorded)."""
    from core.project.project import Project

    if not is_url(location):
        if create:
            return Project.create(location, name=name)
        return Project.open(location, drop_foreign_schema=drop_foreign_schema)
    url = engine_url(str(location))
    if create:
        _create_database(url)
    try:
        shown = str(location)  # engine_url refused any password in it
        project = Project.connect(url, create=create, new=create, name=name or url.database or "shared", location=shown)
    except ProjectError:
        raise
    except DBAPIError as error:
        raise ServerError(describe_server_error(error, str(location))) from None
    try:
        chosen = folder if folder is not None else os.environ.get("ETHOFRAME_FOLDER")
        project.use_folder(chosen or project.users.folder_of(project.user) or default_user_folder(url))
    except BaseException:
        project.close()
        raise
    return project


def _create_database(url: URL) -> None:
    """Make the database `url` names when the server lacks it (needs CREATEDB; a lab's admin
    may rather make it: `createdb mice`)."""
    from sqlalchemy import create_engine, text

    probe = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with probe.connect():
            return  # it exists: Project.connect decides whether it may become a project
    except DBAPIError as error:
        if "does not exist" not in str(error.orig) or "database" not in str(error.orig):
            raise ServerError(describe_server_error(error, url)) from None
    finally:
        probe.dispose()
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            quoted = connection.dialect.identifier_preparer.quote(url.database)
            connection.execute(text(f"CREATE DATABASE {quoted}"))
    except DBAPIError as error:
        raise ServerError(
            f"{mask(url)}: could not create database {url.database!r} ({str(error.orig).splitlines()[0]}); "
            f"ask the server's administrator to run `createdb {url.database}`"
        ) from None
    finally:
        admin.dispose()


__all__ = ["NotAProjectError", "current_user", "describe_server_error", "engine_url", "is_url", "mask", "open_project", "project_location"]
