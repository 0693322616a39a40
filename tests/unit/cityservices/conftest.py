"""Unit fixtures: a TestClient on a throwaway SQLite copy of a seeded template, a frozen clock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cityservices.app import create_app
from cityservices.db import create_db_engine, run_migrations
from cityservices.dbguard import ensure_database
from cityservices.deps import get_now
from cityservices.seed import prepare
from cityservices.settings import CitySettings
from tests.unit.cityservices.support import ANNA, IVAN, MSK, NOW, TODAY, identify, make_settings


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded database (for TODAY), copied for each test."""
    tmp = tmp_path_factory.mktemp("city-template")
    ensure_database(make_settings(tmp))
    engine = create_db_engine(make_settings(tmp))
    run_migrations(engine)
    prepare(engine, TODAY, MSK)
    engine.dispose()  # closing the last connection checkpoints the WAL into the main file
    return tmp / "city.db"


@pytest.fixture
def settings(tmp_path: Path, template_db: Path) -> CitySettings:
    shutil.copy(template_db, tmp_path / "city.db")
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: CitySettings) -> FastAPI:
    application = create_app(settings)
    application.dependency_overrides[get_now] = lambda: NOW
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def ivan(client: TestClient) -> dict[str, str]:
    return identify(client, IVAN)


@pytest.fixture
def anna(client: TestClient) -> dict[str, str]:
    return identify(client, ANNA)
