"""``cityservices`` command line: serve, seed, migrate, bench."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from spoken.privacy import install_pii_filter

app = typer.Typer(
    help="Reference city back-ends (health, transit, Open311, ...).", no_args_is_help=True
)
log = logging.getLogger(__name__)
DbUrl = Annotated[
    str | None, typer.Option("--db-url", help="SQLAlchemy URL; default CITY_DB_URL or var/city.db")
]


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if level.lower() != "debug":
        logging.getLogger("alembic").setLevel(logging.WARNING)
    install_pii_filter()  # root handler and uvicorn's loggers, the access log included


def _apply_db_url(db_url: str | None) -> None:
    if db_url:
        os.environ["CITY_DB_URL"] = db_url


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    db_url: DbUrl = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    log_level: Annotated[str, typer.Option(help="debug, info, warning")] = "info",
) -> None:
    """Run the API with uvicorn; migrates, and seeds an empty database, on startup."""
    import uvicorn

    _apply_db_url(db_url)
    _setup_logging(log_level)
    if workers > 1:  # migrate and seed once here, so the workers do not race each other
        _prepare_database(reset=False)
    from cityservices.settings import CityConfigError, load_city_settings

    try:
        settings = load_city_settings()
    except CityConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    uvicorn.run(
        "cityservices.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level=log_level.lower(),
        access_log=log_level.lower() == "debug",
    )


@app.command()
def migrate(db_url: DbUrl = None) -> None:
    """Upgrade the database schema to the newest migration."""
    from cityservices.db import create_db_engine, run_migrations
    from cityservices.dbguard import ensure_database
    from cityservices.settings import load_city_settings

    _apply_db_url(db_url)
    settings = load_city_settings()
    ensure_database(settings)
    engine = create_db_engine(settings)
    run_migrations(engine)
    engine.dispose()
    typer.echo("migrated")


@app.command()
def seed(
    reset: Annotated[bool, typer.Option("--reset", help="delete all data first")] = False,
    db_url: DbUrl = None,
) -> None:
    """Seed the demo data into an empty database (today's slots over the next 14 days);
    --reset deletes everything first, and recreates a database file that was removed."""
    _apply_db_url(db_url)
    _setup_logging("warning")
    typer.echo(_prepare_database(reset=reset))


def _prepare_database(*, reset: bool) -> str:
    from cityservices.db import create_db_engine, run_migrations
    from cityservices.dbguard import ensure_database
    from cityservices.seed import prepare
    from cityservices.settings import load_city_settings

    settings = load_city_settings()
    ensure_database(settings, allow_create=reset)
    engine = create_db_engine(settings)
    run_migrations(engine)
    tz = ZoneInfo(settings.timezone)
    today = datetime.now(UTC).astimezone(tz).date()
    result = prepare(engine, today, tz, reset=reset, gtfs_dir=settings.gtfs_dir)
    engine.dispose()
    return f"{result} ({engine.url.render_as_string(hide_password=True)}, {today})"


@app.command()
def bench(
    out: Annotated[Path, typer.Option(help="where to write the JSON results")] = Path(
        "var/bench-cityservices.json"
    ),
    db_url: DbUrl = None,
    postgres_temp: Annotated[
        bool, typer.Option("--postgres-temp", help="start a throwaway PostgreSQL cluster")
    ] = False,
    requests: Annotated[int, typer.Option(help="requests per scenario")] = 400,
    concurrency: Annotated[int, typer.Option(help="requests in flight")] = 8,
) -> None:
    """Requests/second and p50/p95 for slot search and booking (baseline: GET /healthz),
    against a server started here in a subprocess on a fresh database."""
    from cityservices.bench import run_bench

    _setup_logging("warning")
    result = run_bench(
        db_url=db_url, postgres_temp=postgres_temp, requests=requests, concurrency=concurrency
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    for name, r in result["scenarios"].items():
        typer.echo(
            f"{name:14s} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p95 {r['p95_ms']:6.1f} ms  {r['status_counts']}"
        )
    typer.echo(f"written {out}")
