"""Integration fixtures: a throwaway PostgreSQL cluster and real uvicorn servers on free ports."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from cityservices.bench import running_server
from cityservices.pgtemp import INSTALL_HINT, PostgresUnavailable, TempPostgres


@dataclass(frozen=True)
class CityServer:
    base: str  # http://127.0.0.1:PORT
    db: str  # "sqlite" or "postgresql"


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
    with contextlib.ExitStack() as stack:
        try:
            base = stack.enter_context(running_server(db_url, tmp / "server.log"))
        except RuntimeError as exc:  # it says why, with the server's log
            pytest.fail(f"city server did not start: {exc}")
        yield CityServer(base=base, db=request.param)
