"""The app factory: ``create_app(settings=None)``. Nothing touches the database until startup."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI
from starlette.concurrency import run_in_threadpool

from cityservices import metrics
from cityservices.db import create_db_engine, make_sessionmaker, run_migrations
from cityservices.dbguard import ensure_database, install_db_guard, problem, remember
from cityservices.deps import require_api_key
from cityservices.errors import install_error_handlers
from cityservices.routers import (
    health,
    kindergarten,
    meta,
    open311,
    reminders,
    traffic,
    transit,
    troika,
    wifi,
)
from cityservices.seed import prepare
from cityservices.settings import CitySettings, load_city_settings
from spoken.privacy import install_pii_filter

log = logging.getLogger(__name__)


def startup(app: FastAPI) -> None:
    """Migrate, then seed an empty database (or top up the 14 days of slots; the lifespan
    tops them up again after every midnight)."""
    settings: CitySettings = app.state.settings
    engine = app.state.engine
    ensure_database(settings)  # a database that existed and is gone: refuse to start
    run_migrations(engine)
    if settings.seed_on_start:
        tz = ZoneInfo(settings.timezone)
        prepare(engine, datetime.now(UTC).astimezone(tz).date(), tz, gtfs_dir=settings.gtfs_dir)
    remember(app)


def seconds_until_top_up(now: datetime) -> float:
    """From `now` (aware, local) to the next five past midnight, local time."""
    due = datetime.combine(now.date(), time(0, 5), tzinfo=now.tzinfo)
    if due <= now:
        due += timedelta(days=1)
    return (due - now).total_seconds()


async def _top_up_daily(app: FastAPI) -> None:
    """A server that runs for weeks keeps its 14 days of slots: a top-up after each midnight."""
    settings: CitySettings = app.state.settings
    tz = ZoneInfo(settings.timezone)
    while True:
        await asyncio.sleep(seconds_until_top_up(datetime.now(UTC).astimezone(tz)))
        today = datetime.now(UTC).astimezone(tz).date()
        if problem(app) is not None:  # never top up a database that was removed
            log.error("daily slot top-up skipped: %s", problem(app))
            continue
        try:
            await run_in_threadpool(prepare, app.state.engine, today, tz,
                                    gtfs_dir=settings.gtfs_dir)
        except Exception:  # the next night tries again; the server keeps serving
            log.exception("daily slot top-up failed")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    await run_in_threadpool(startup, app)
    top_up = None
    if app.state.settings.seed_on_start:
        top_up = asyncio.create_task(_top_up_daily(app), name="slot-top-up")
    try:
        yield
    finally:
        if top_up is not None:
            top_up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await top_up
        app.state.engine.dispose()


def create_app(settings: CitySettings | None = None) -> FastAPI:
    settings = settings or load_city_settings()
    install_pii_filter()  # again here: uvicorn workers and `uvicorn --factory` set up their own
    app = FastAPI(
        title="Moscow city services (reference back-ends)",
        version="1.0.0",
        description="Health booking (FHIR-shaped), kindergarten queue, Troika, transit (GTFS), "
        "traffic, free Wi-Fi and Open311 GeoReport v2. Mutating requests need X-API-Key.",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = create_db_engine(settings)
    app.state.sessions = make_sessionmaker(app.state.engine)
    install_error_handlers(app)
    install_db_guard(app)
    metrics.install(app)  # GET /metrics (Prometheus), open on the internal bind
    for module in (meta, health, reminders, transit, traffic, wifi, open311):
        app.include_router(module.router)
    for module in (kindergarten, troika):  # personal records: a client's key (deps.py)
        app.include_router(module.router, dependencies=[Depends(require_api_key)])
    return app
