"""Shared constants and helpers of the city-services unit tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from cityservices.settings import CitySettings

MSK = ZoneInfo("Europe/Moscow")
TODAY = date(2025, 12, 1)  # a Monday
NOW = datetime(2025, 12, 1, 7, 30, tzinfo=MSK).astimezone(UTC)
API_KEY = {"X-API-Key": "demo-city-key"}
IVAN = {"policy_number": "7712345678901234", "birth_date": "1985-03-14"}
ANNA = {"policy_number": "7798765432109876", "birth_date": "1992-11-02"}


def make_settings(tmp: Path, **overrides: object) -> CitySettings:
    values: dict[str, object] = {
        "db_url": f"sqlite:///{tmp / 'city.db'}",
        "var_dir": tmp,
        "api_key": "demo-city-key",
        "seed_on_start": False,
    }
    values.update(overrides)
    return CitySettings(**values)  # type: ignore[arg-type]


def identify(client: TestClient, who: dict[str, str] = IVAN) -> dict[str, str]:
    """Headers for a patient: API key plus bearer token."""
    resp = client.post("/health/v1/patients/identify", json=who, headers=API_KEY)
    assert resp.status_code == 200, resp.text
    return {**API_KEY, "Authorization": f"Bearer {resp.json()['token']}"}
