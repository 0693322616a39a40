"""The back-ends' settings: the `city:` section of config.yml, CITY_* variables, refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cityservices.settings import PROJECT_ROOT, CityConfigError, load_city_settings


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("ASSISTANT_", "CITY_")):
            monkeypatch.delenv(name)


def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "config.yml"
    path.write_text(text)
    monkeypatch.setenv("ASSISTANT_CONFIG", str(path))


def test_repo_config() -> None:
    settings = load_city_settings()
    assert settings.timezone == "Europe/Moscow" and settings.token_ttl_s == 1800
    assert settings.var_dir == PROJECT_ROOT / "var" and settings.gtfs_dir is None


def test_section_keys_and_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config(tmp_path, monkeypatch, "city: {url: 'http://x', token_ttl_s: 60, db_url: 'sqlite://'}\n"
                                  "ports: {gateway: 1}\n")
    assert load_city_settings().token_ttl_s == 60  # `url` is the action server's: skipped
    monkeypatch.setenv("ASSISTANT_CITY__DB_URL", "postgresql+psycopg://a@h/db")
    assert load_city_settings().db_url == "postgresql+psycopg://a@h/db"
    monkeypatch.setenv("CITY_DB_URL", "postgresql+psycopg://b@h/db")
    assert load_city_settings().db_url == "postgresql+psycopg://b@h/db"


def test_a_file_without_the_section_gives_the_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config(tmp_path, monkeypatch, "ports: {gateway: 1}\n")
    assert load_city_settings().identify_window_s == 900


def test_unknown_key_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config(tmp_path, monkeypatch, "city: {token_tll_s: 60}\n")
    with pytest.raises(CityConfigError, match=r"unknown key 'city.token_tll_s'"):
        load_city_settings()


def test_production_refuses_the_demo_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_ENV", "production")
    with pytest.raises(CityConfigError, match="demo API key"):
        load_city_settings()
    monkeypatch.setenv("CITY_API_KEY", "s3cret")
    assert load_city_settings().api_key == "s3cret"
