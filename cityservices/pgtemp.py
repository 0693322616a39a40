"""A throwaway PostgreSQL cluster (Debian's postgresql-15 binaries) for tests and benchmarks.

``initdb`` and ``pg_ctl`` run as the ``postgres`` user when we are root (PostgreSQL refuses to run
as root), on a random port, with the unix socket in the cluster's temporary directory. Durability
is switched off: this cluster exists for one run only."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)
PG_BIN = Path(os.environ.get("CITY_PG_BIN", "/usr/lib/postgresql/15/bin"))
INSTALL_HINT = "PostgreSQL 15 is not installed: run `apt-get install -y postgresql`"


class PostgresUnavailable(RuntimeError):
    """The binaries are missing or the cluster would not start."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class TempPostgres:
    """``with TempPostgres() as pg: pg.url`` -> ``postgresql+psycopg://postgres@127.0.0.1:PORT/city``."""

    def __init__(self, database: str = "city") -> None:
        self.database = database
        self.port = _free_port()
        self.root: Path | None = None
        self.url = ""

    def _as_owner(self, *args: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return list(args)

    def _run(self, *args: str) -> None:
        proc = subprocess.run(self._as_owner(*args), capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise PostgresUnavailable(f"{args[0]} failed: {proc.stdout}\n{proc.stderr}")

    def start(self) -> str:
        for tool in ("initdb", "pg_ctl"):
            if not (PG_BIN / tool).is_file():
                raise PostgresUnavailable(f"{PG_BIN / tool} not found. {INSTALL_HINT}")
        self.root = Path(tempfile.mkdtemp(prefix="city-pg-"))
        self.root.chmod(0o755)
        data = self.root / "data"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        opts = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        self._create_database()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"
        log.info("temporary PostgreSQL on port %d in %s", self.port, self.root)
        return self.url

    def _create_database(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{self.database}"')
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.root is None:
            return
        data = self.root / "data"
        if data.is_dir():
            subprocess.run(
                self._as_owner(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> TempPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
