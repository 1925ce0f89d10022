"""A throwaway PostgreSQL server for the tests: the shared-project store, edits and
interchange run against it as well as SQLite.

`ETHOFRAME_TEST_POSTGRES_URL` (a server URL whose user may create databases) is used when set,
as `.ci/run` does; otherwise a cluster is made with the server binaries of Debian's
`postgresql` package (run as the `postgres` user when the tests run as root), listening on a
private socket and on 127.0.0.1 with a password for TCP (so a wrong password can be tested).
Every test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "ethoframe-test"


@dataclass
class Server:
    url: str  # postgresql://ethoframe@/postgres?host=SOCKET (trusted local socket)
    tcp_url: str | None = None  # postgresql://ethoframe@127.0.0.1:PORT/postgres (password)
    stop: callable = lambda: None
    pause: callable | None = None  # stop the server but keep its data (a private server only)
    resume: callable | None = None

    def database_url(self, name: str, tcp: bool = False) -> str:
        base = self.tcp_url if tcp else self.url
        head, _, query = base.partition("?")
        return head.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")

    def create_database(self) -> str:
        from sqlalchemy import create_engine, text

        name = f"lab_{uuid.uuid4().hex[:10]}"
        admin = create_engine(self.url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        return name

    def drop_database(self, name: str) -> None:
        from sqlalchemy import create_engine, text

        admin = create_engine(self.url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def start(private: bool = False) -> Server:
    """A running server, or RuntimeError saying why there is none. `private`: one of this
    test's own even when CI provides a shared one (to stop it and start it again)."""
    if os.environ.get("ETHOFRAME_TEST_POSTGRES_URL") and not private:
        return Server(os.environ["ETHOFRAME_TEST_POSTGRES_URL"], os.environ.get("ETHOFRAME_TEST_POSTGRES_TCP_URL"))
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise RuntimeError("psycopg is not installed (pip install -e '.[postgres]')") from None
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL's server binaries are not installed (apt-get install postgresql)")
    # Not under pytest's tmp dir: the postgres user cannot enter root's private folders.
    root = Path(tempfile.mkdtemp(prefix="ethoframe-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    (root / "pw").write_text(PASSWORD + "\n")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--", "sh", "-c"] if as_root else ["sh", "-c"]
    if as_root:  # initdb refuses to run as root
        for path in (root, sock, root / "pw"):
            shutil.chown(path, "postgres")
        os.chmod(root, 0o755)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def run(command: str) -> None:
        subprocess.run(prefix + [command], check=True, capture_output=True, timeout=120)

    try:
        run(f"{bin_dir}/initdb -D {data} -U ethoframe --auth-local=trust --auth-host=scram-sha-256 --pwfile={root}/pw")
        options = f"-k {sock} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        run(f"{bin_dir}/pg_ctl -D {data} -l {root}/log -o \"{options}\" -w start")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError) as error:
        detail = getattr(error, "stderr", b"") or b""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"could not start a PostgreSQL cluster: {error} {detail.decode(errors='replace')[:300]}") from None

    def stop() -> None:
        try:
            run(f"{bin_dir}/pg_ctl -D {data} -m immediate stop")
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def pause() -> None:
        run(f"{bin_dir}/pg_ctl -D {data} -m immediate stop")

    def resume() -> None:
        run(f"{bin_dir}/pg_ctl -D {data} -l {root}/log -o \"{options}\" -w start")

    return Server(f"postgresql://ethoframe@/postgres?host={sock}&port={port}",
                  f"postgresql://ethoframe@127.0.0.1:{port}/postgres", stop, pause, resume)  # fmt: skip
