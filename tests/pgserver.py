"""A throwaway PostgreSQL server for the test run and the benchmarks (standard library only).

``PostgresServer`` makes a cluster in a temporary folder with ``initdb`` (trust authentication), starts
``postgres`` on a Unix socket in that folder (no TCP port), and removes everything on ``stop``. The
PostgreSQL programs refuse to run as root, so as root they run as the ``postgres`` system user
(``runuser -u postgres --``) and the folder is handed to that user.

Standalone: ``python tests/pgserver.py`` starts one, prints its DSN and waits for Ctrl-C.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

PROGRAMS = ("initdb", "pg_ctl", "postgres")
#: The system user the server runs as when this process is root.
SERVER_USER = "postgres"
START_TIMEOUT_SECONDS = 60


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL programs are not on PATH (or the server user is missing when running as root)."""


def missing_programs() -> list[str]:
    """The PostgreSQL programs this machine lacks (empty when a server can be started)."""
    return [name for name in PROGRAMS if shutil.which(name) is None]


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder; ``dsn(database)`` connects over its Unix socket.

    ``durable=False`` (tests) turns fsync off: nothing here must survive a crash of the machine.
    """

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.folder: Path | None = None
        self._as_root = os.geteuid() == 0

    def _command(self, *args: str) -> list[str]:
        return ["runuser", "-u", SERVER_USER, "--", *args] if self._as_root else list(args)

    def start(self) -> None:
        """initdb, then ``pg_ctl start`` (waits until the server accepts connections)."""
        missing = missing_programs()
        if missing:
            raise PostgresUnavailable(f"PostgreSQL programs not on PATH: {', '.join(missing)}")
        folder = Path(tempfile.mkdtemp(prefix="claimdesk-pg-"))
        self.folder = folder
        if self._as_root:
            try:
                user = pwd.getpwnam(SERVER_USER)
            except KeyError:
                self._remove()
                raise PostgresUnavailable(f"running as root, but there is no {SERVER_USER!r} user") from None
            os.chown(folder, user.pw_uid, user.pw_gid)
        data = folder / "data"
        try:
            self._run("initdb", "-D", str(data), "-A", "trust", "-U", SERVER_USER, "-E", "UTF8", "--no-sync")
            options = f"-k {folder} -c listen_addresses='' -c max_connections=200"
            if not self.durable:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            self._run(
                "pg_ctl",
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-o",
                options,
                "-t",
                str(START_TIMEOUT_SECONDS),
                "-w",
                "start",
            )
        except BaseException:
            self._remove()
            raise

    def _run(self, *args: str) -> None:
        result = subprocess.run(self._command(*args), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = ""
            if self.folder is not None and (self.folder / "server.log").exists():
                log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()} {log}".strip())

    def stop(self) -> None:
        """Stop the server (fast shutdown: open connections are cut) and remove its folder."""
        if self.folder is None:
            return
        data = self.folder / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                self._command("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"), capture_output=True, check=False
            )
        self._remove()

    def _remove(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def dsn(self, database: str = SERVER_USER) -> str:
        """A libpq/asyncpg DSN for ``database`` on this server's socket."""
        if self.folder is None:
            raise RuntimeError("the server is not started")
        return f"postgresql://{SERVER_USER}@/{database}?host={self.folder}"

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def database_name(prefix: str = "claimdesk") -> str:
    """A fresh database name (lowercase, no quoting needed)."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def with_database(dsn: str, database: str) -> str:
    """The same server DSN pointed at another database."""
    head, _, tail = dsn.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{database}" + (f"?{tail}" if tail else "")


if __name__ == "__main__":
    with PostgresServer() as server:
        print(server.dsn(), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
