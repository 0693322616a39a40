"""Deterministic demo data: seeded at first start (only into an empty database, never over
existing rows) and by ``seed --reset``."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session

from cityservices.db import make_sessionmaker, write_session
from cityservices.gtfs import load_feed
from cityservices.models import Base, SeedInfo
from cityservices.seed.health import ensure_slots, seed_demo_appointment, seed_reference
from cityservices.seed.records import seed_records

log = logging.getLogger(__name__)
SEED_VERSION = "1"
PREPARE_LOCK = 0x5EED  # the PostgreSQL advisory lock that serialises seeding and top-ups
_SEQUENCES = ("appointments", "service_requests", "troika_trips", "auth_failures", "seed_info")


def _fix_sequences(session: Session) -> None:
    """PostgreSQL: move serial sequences past explicitly inserted ids (1001, 1002, ...)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in _SEQUENCES:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )


def seed_all(session: Session, today: date, tz: ZoneInfo, gtfs_dir: Path | None = None) -> None:
    """Fill an empty database with the demo data for ``today``."""
    seed_reference(session)
    ensure_slots(session, today, tz)
    seed_demo_appointment(session, today, tz, datetime.now(UTC))
    seed_records(session, today, tz)
    load_feed(session, gtfs_dir)
    session.add(SeedInfo(seeded_for=today, version=SEED_VERSION))
    session.flush()
    _fix_sequences(session)


def clear_all(session: Session) -> None:
    """Delete every row (children first)."""
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))


def is_seeded(session: Session) -> bool:
    return bool(session.execute(select(func.count(SeedInfo.id))).scalar_one())


class NotEmpty(RuntimeError):
    """The database holds rows but no seed record: demo data is never seeded over them."""


def _tables_with_rows(session: Session) -> list[str]:
    return [t.name for t in Base.metadata.sorted_tables
            if session.execute(select(func.count()).select_from(t)).scalar_one()]


def prepare(
    engine: Engine, today: date, tz: ZoneInfo, *, reset: bool = False, gtfs_dir: Path | None = None
) -> str:
    """Seed when empty (or after ``reset``); otherwise top slots up to 14 days ahead."""
    factory = make_sessionmaker(engine)
    with write_session(factory) as session:
        if session.get_bind().dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE already
            # one preparer at a time: uvicorn workers top up slots at the same midnight
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PREPARE_LOCK})
        if reset:
            clear_all(session)
        if not is_seeded(session):
            filled = _tables_with_rows(session)
            if filled:
                raise NotEmpty(f"the database has rows in {', '.join(filled)} but was never "
                               "seeded: the demo data is seeded only into an empty database "
                               "(`cityservices seed --reset` deletes everything first)")
            seed_all(session, today, tz, gtfs_dir)
            log.info("seeded demo data for %s", today)
            return "seeded"
        added = ensure_slots(session, today, tz)
        log.info("database already seeded; %d new slots", added)
        return "extended"
