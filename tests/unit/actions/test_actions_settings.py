"""The action server's settings: its sections of config.yml, CITY_API_KEY, refusals."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.city_client import CityClient
from actions.settings import ActionsConfigError, current_settings, load_actions_settings


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(("ASSISTANT_", "CITY_")):
            monkeypatch.delenv(name)
    current_settings.cache_clear()
    yield
    current_settings.cache_clear()  # later tests must not see this test's environment


def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(text)
    monkeypatch.setenv("ASSISTANT_CONFIG", str(path))
    return path


def test_repo_config() -> None:
    settings = load_actions_settings()
    assert settings.city_url == "http://127.0.0.1:8000"
    assert settings.city.api_key == "demo-city-key" and settings.city.timeout_s == 3.0
    assert (settings.kiosk.lat, settings.kiosk.lon) == (55.7655, 37.6050)


def test_city_url_follows_internal_host_and_port_or_is_explicit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config(tmp_path, monkeypatch, "host: 0.0.0.0\ninternal_host: 10.0.0.5\n"
                                  "ports: {cityservices: 8100}\n"
                                  "kiosk: {lat: 1.5, lon: 2.5}\nasr: {models_dir: x}\n")
    settings = load_actions_settings()
    assert settings.city_url == "http://10.0.0.5:8100" and settings.kiosk.lat == 1.5
    monkeypatch.setenv("ASSISTANT_CITY__URL", "https://city.example/api")
    assert load_actions_settings().city_url == "https://city.example/api"


def test_city_api_key_env_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_CITY__API_KEY", "from-assistant-env")
    assert load_actions_settings().city.api_key == "from-assistant-env"
    monkeypatch.setenv("CITY_API_KEY", "from-city-env")
    assert load_actions_settings().city.api_key == "from-city-env"


def test_the_client_takes_its_defaults_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_CITY__TIMEOUT_S", "7.5")
    monkeypatch.setenv("CITY_API_KEY", "k")
    client = CityClient()
    assert (client.base_url, client.api_key) == ("http://127.0.0.1:8000", "k")
    assert client.timeout_s == 7.5
    assert CityClient(base_url="http://x", api_key="y", timeout_s=1.0).base_url == "http://x"


def test_unknown_key_is_refused_but_the_back_ends_keys_are_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config(tmp_path, monkeypatch, "city: {db_url: 'sqlite://', timezone: UTC, api_kye: x}\n")
    with pytest.raises(ActionsConfigError, match=r"unknown key 'city\.api_kye'"):
        load_actions_settings()


def test_production_refuses_the_demo_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_ENV", "production")
    with pytest.raises(ActionsConfigError, match="demo API key"):
        load_actions_settings()
    monkeypatch.setenv("CITY_API_KEY", "s3cret")
    assert load_actions_settings().city.api_key == "s3cret"
