"""Demo data, settings, startup and the CLI."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cityservices.app import create_app, seconds_until_top_up
from cityservices.cli import app as cli_app
from cityservices.db import create_db_engine, run_migrations
from cityservices.dbguard import ensure_database
from cityservices.models import Clinic, Slot
from cityservices.seed import prepare
from cityservices.seed.health import ensure_slots
from cityservices.settings import CitySettings
from tests.unit.cityservices.support import API_KEY, MSK, TODAY, make_settings


def _slots(settings: CitySettings) -> list[tuple[str, str]]:
    engine = create_db_engine(settings)
    with Session(engine) as session:
        rows = session.execute(select(Slot.id, Slot.status).order_by(Slot.id)).all()
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


def test_demo_data_shape(settings: CitySettings) -> None:
    engine = create_db_engine(settings)
    with Session(engine) as session:
        clinics = session.execute(select(Clinic)).scalars().all()
        assert len(clinics) >= 5 and len({c.district_code for c in clinics}) >= 3
        first, last = session.execute(select(func.min(Slot.start), func.max(Slot.start))).one()
        assert first.astimezone(MSK).date() == TODAY
        last_day = last.astimezone(MSK).date()  # 14 days from today
        assert TODAY + timedelta(days=11) <= last_day <= TODAY + timedelta(days=13)
        busy = session.execute(select(func.count()).where(Slot.status == "busy")).scalar_one()
        total = session.execute(select(func.count(Slot.id))).scalar_one()
        assert 0 < busy < total
        assert ensure_slots(session, TODAY, MSK) == 0  # nothing missing
        assert ensure_slots(session, TODAY + timedelta(days=2), MSK) > 0  # two new days
    engine.dispose()


def test_seeding_is_deterministic(tmp_path: Path, settings: CitySettings) -> None:
    other = make_settings(tmp_path / "other")
    ensure_database(other)
    engine = create_db_engine(other)
    run_migrations(engine)
    assert prepare(engine, TODAY, MSK) == "seeded"
    assert prepare(engine, TODAY, MSK) == "extended"
    engine.dispose()
    assert _slots(other) == _slots(settings)


def test_startup_migrates_and_seeds_empty_db(tmp_path: Path) -> None:
    var = tmp_path / "not" / "yet"
    settings = CitySettings(var_dir=var, db_url="", seed_on_start=True)
    assert settings.database_url == f"sqlite:///{var / 'city.db'}"
    app = create_app(settings)
    with TestClient(app) as client:
        card = client.get("/troika/v1/cards/0123456789", headers=API_KEY).json()
        assert card["balance_rub"] == 245
    assert (var / "city.db").is_file()


def test_settings_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.yml"
    config.write_text("city:\n  api_key: from-yaml\n  timeout_s: 9.5\n  db_url: ''\n")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.delenv("CITY_API_KEY", raising=False)
    monkeypatch.delenv("CITY_DB_URL", raising=False)
    settings = CitySettings()
    assert settings.api_key == "from-yaml" and settings.timeout_s == 9.5
    assert settings.is_sqlite
    monkeypatch.setenv("CITY_API_KEY", "from-env")
    monkeypatch.setenv("CITY_DB_URL", "postgresql+psycopg://u@h/db")
    settings = CitySettings()
    assert settings.api_key == "from-env" and not settings.is_sqlite


def test_repo_config_has_the_demo_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_CONFIG", raising=False)
    monkeypatch.delenv("CITY_API_KEY", raising=False)
    assert CitySettings().api_key == "demo-city-key"


def test_cli_seed_reset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITY_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    first = runner.invoke(cli_app, ["seed"])
    assert first.exit_code == 0 and first.output.startswith("seeded"), first.output
    again = runner.invoke(cli_app, ["seed"])
    assert again.output.startswith("extended")
    reset = runner.invoke(cli_app, ["seed", "--reset"])
    assert reset.exit_code == 0 and reset.output.startswith("seeded")


@pytest.mark.parametrize(
    ("hhmm", "expected_s"),
    [((23, 0), 3900.0), ((0, 4), 60.0), ((0, 5), 86400.0), ((12, 0), 43500.0)],
)
def test_slots_are_topped_up_after_each_local_midnight(hhmm: tuple[int, int],
                                                       expected_s: float) -> None:
    now = datetime.combine(TODAY, time(*hhmm), tzinfo=MSK)
    assert seconds_until_top_up(now) == expected_s
