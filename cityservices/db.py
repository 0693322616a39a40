"""Engine, sessions and migrations. SQLite gets WAL mode, a busy timeout and IMMEDIATE write
transactions; PostgreSQL runs at READ COMMITTED, where the conditional UPDATEs stay atomic."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from cityservices.settings import CitySettings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
WRITE_OPTION = "cityservices_write"


def _prepare_sqlite(url: str) -> None:
    """Create the directory of a SQLite file (at start, never at import)."""
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes the write lock up front, so it waits (busy_timeout) instead
        # of failing when a deferred reader tries to upgrade while another writer holds the lock.
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _open_existing(url: str) -> Callable[[], Any]:
    """SQLite connections that never create the file (``mode=rw``): a removed database fails
    loudly instead of coming back empty (cityservices/dbguard.py)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return lambda: sqlite3.connect(":memory:", check_same_thread=False, timeout=10)
    uri = f"{Path(database).resolve().as_uri()}?mode=rw"
    return lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=10)


def create_db_engine(settings: CitySettings) -> Engine:
    """The engine for ``settings.database_url``; creates the SQLite directory if needed, never
    the file (``dbguard.ensure_database`` does, on a first start or ``seed --reset``)."""
    url = settings.database_url
    if url.startswith("sqlite"):
        _prepare_sqlite(url)
        engine = create_engine(
            url,
            echo=settings.sql_echo,
            pool_size=16,
            max_overflow=48,
            pool_timeout=60,
            creator=_open_existing(url),
        )
        _sqlite_events(engine)
        return engine
    return create_engine(
        url, echo=settings.sql_echo, pool_size=16, max_overflow=32, pool_pre_ping=True
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Mark the session's coming transaction as a write (BEGIN IMMEDIATE on SQLite)."""
    session.connection(execution_options={WRITE_OPTION: True})


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose transaction is a write; commits on success, rolls back on error."""
    with factory() as session:
        begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def run_migrations(engine: Engine) -> None:
    """Upgrade the database to the newest Alembic revision."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
        connection.commit()
    log.info("database migrated to head")
