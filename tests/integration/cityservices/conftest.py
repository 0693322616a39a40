"""Integration fixtures: a throwaway PostgreSQL cluster and real uvicorn servers on free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cityservices.pgtemp import INSTALL_HINT, PostgresUnavailable, TempPostgres

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class CityServer:
    base: str  # http://127.0.0.1:PORT
    db: str  # "sqlite" or "postgresql"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL 15 cluster in a temporary directory; fails (never skips) without it."""
    cluster = TempPostgres()
    try:
        url = cluster.start()
    except PostgresUnavailable as exc:
        cluster.stop()
        message = str(exc) if INSTALL_HINT in str(exc) else f"{exc}\n{INSTALL_HINT}"
        pytest.fail(message, pytrace=False)
    try:
        yield url
    finally:
        cluster.stop()


def start_server(db_url: str, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m cityservices serve`` on a free port; returns the process and its base URL."""
    port = _free_port()
    env = {**os.environ, "CITY_DB_URL": db_url, "CITY_API_KEY": "demo-city-key"}
    cmd = [
        sys.executable,
        "-m",
        "cityservices",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    log = log_path.open("wb")
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    pytest.fail(f"city server did not start:\n{log_path.read_text(errors='replace')}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def city_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CityServer]:
    """Base URL of a running server on a fresh SQLite file or on the throwaway PostgreSQL."""
    tmp = tmp_path_factory.mktemp(f"city-{request.param}")
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp / 'city.db'}"
    else:
        db_url = request.getfixturevalue("postgres_url")
    proc, base = start_server(db_url, tmp / "server.log")
    try:
        yield CityServer(base=base, db=request.param)
    finally:
        stop_server(proc)
