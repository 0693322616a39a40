"""The database guard (cityservices/dbguard.py, a pure ASGI middleware since issue 12): a file
replaced under the running server refuses every route with 503, inside the HTTP metrics."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from cityservices.app import create_app
from cityservices.settings import CitySettings
from tests.unit.cityservices.support import API_KEY

CARD = "/troika/v1/cards/0123456789"
REFUSED = {"handler": "/troika/v1/cards/{number}", "method": "GET", "status": "5xx"}


def refused() -> float:
    return REGISTRY.get_sample_value("http_requests_total", REFUSED) or 0.0


def _drop_http_metrics() -> None:
    for collector, names in list(REGISTRY._collector_to_names.items()):
        if any(name.startswith("http_") for name in names):
            REGISTRY.unregister(collector)


@pytest.fixture
def counted(settings: CitySettings) -> Iterator[TestClient]:
    """A client on an app that owns the HTTP metrics: the instrumentator registers them once
    per process, so in a test run only the first app would count (one app per process in
    production)."""
    _drop_http_metrics()
    with TestClient(create_app(settings)) as client:
        yield client
    _drop_http_metrics()


def test_a_replaced_database_refuses_every_route_and_is_counted(
    settings: CitySettings, counted: TestClient
) -> None:
    client = counted
    assert client.get(CARD, headers=API_KEY).json()["balance_rub"] == 245
    before = refused()
    db = Path(settings.var_dir) / "city.db"
    copy = db.with_name("copy.db")
    shutil.copy(db, copy)
    copy.replace(db)  # same name, another file: not the one the server opened
    for answer in (client.get(CARD, headers=API_KEY), client.get("/healthz"),
                   client.get(CARD)):  # before the key check too
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/json"
        error = answer.json()["error"]
        assert error["code"] == "database-missing" and "replaced" in error["message"]
    assert client.get("/metrics").status_code == 503  # every route, /metrics included
    assert refused() - before == 2  # the refusals are in the HTTP metrics of the route
