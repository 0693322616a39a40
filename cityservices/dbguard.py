"""The database is never silently replaced.

SQLite: the engine opens the file with ``mode=rw`` (``db.create_db_engine``), so no connection
ever creates an empty database. The file is created only on a first start (no file and no
``<file>.created`` marker beside it) or by ``cityservices seed --reset``. A start that finds the
marker but not the file refuses to run: the data is gone, and a new empty database would hide
that. While running, every request checks that the file is still the one opened at start
(device and inode): a removed or replaced file gives 503 ``database-missing`` to every route,
``/healthz`` included, before any connection is used, so pooled connections never write to a
deleted file.

Both engines: ``/healthz`` reads real tables (``seed_info``, ``patients``), and a database error
on any route is a loud 503 ``database-unavailable``, never an empty answer.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Receive, Scope, Send

from cityservices.errors import error_body
from cityservices.settings import CitySettings

log = logging.getLogger(__name__)
Identity = tuple[int, int]


class DatabaseGone(RuntimeError):
    """The database file existed once and is missing now; nothing is recreated."""


def sqlite_path(settings: CitySettings) -> Path | None:
    """The SQLite file of ``settings`` (None for PostgreSQL or an in-memory database)."""
    if not settings.is_sqlite:
        return None
    database = make_url(settings.database_url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def marker(path: Path) -> Path:
    return path.with_name(path.name + ".created")


def ensure_database(settings: CitySettings, *, allow_create: bool = False) -> None:
    """Create the SQLite file on a first start (or when ``allow_create``: ``seed --reset``);
    raise DatabaseGone when it existed once and is missing now."""
    path = sqlite_path(settings)
    if path is None:
        return
    if path.exists():
        marker(path).touch(exist_ok=True)
        return
    if marker(path).exists() and not allow_create:
        raise DatabaseGone(
            f"the database {path} is missing, but it existed ({marker(path)}): restore it from "
            f"a backup, or start over with the demo data by `cityservices seed --reset`"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(path).close()
    marker(path).touch(exist_ok=True)
    log.info("created the database file %s", path)


def identity_of(path: Path) -> Identity | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def remember(app: FastAPI) -> None:
    """Remember the file opened at start (call after migrations and seeding)."""
    path = sqlite_path(app.state.settings)
    app.state.db_path = path  # parsed once: `problem` runs on every request
    app.state.db_identity = identity_of(path) if path is not None else None


def problem(app: FastAPI) -> str | None:
    """Why the database cannot be used now (None: it can)."""
    expected = getattr(app.state, "db_identity", None)
    path: Path | None = getattr(app.state, "db_path", None)
    if path is None or expected is None:
        return None
    found = identity_of(path)
    if found is None:
        return f"the database file {path.name} was removed"
    if found != expected:
        return f"the database file {path.name} was replaced"
    return None


class DbGuard:
    """Pure ASGI middleware (no BaseHTTPMiddleware: no extra task or stream per request): a
    removed or replaced database file answers 503 ``database-missing`` to every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            why = problem(scope["app"])
            if why is not None:
                log.error("refusing %s %s: %s", scope["method"], scope["path"], why)
                answer = JSONResponse(
                    error_body("database-missing", f"{why}; nothing is read or written until "
                               "it is restored and the service restarted"), status_code=503)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_db_guard(app: FastAPI) -> None:
    app.add_middleware(DbGuard)

    async def _db_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("database error on %s %s: %s", request.method, request.url.path,
                  type(exc).__name__)
        return JSONResponse(error_body("database-unavailable", "the database cannot be used"),
                            status_code=503)

    app.add_exception_handler(DBAPIError, _db_error)
