from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli.stack import stack
from assistant.settings import load_settings


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read config.yml itself: no override from the caller's environment."""
    import os

    for name in list(os.environ):
        if name.startswith("ASSISTANT_"):
            monkeypatch.delenv(name)


def test_config_yml_gives_the_documented_ports() -> None:
    settings = load_settings()
    assert (settings.ports.cityservices, settings.ports.actions) == (8000, 5055)
    assert (settings.ports.rasa, settings.ports.gateway) == (5005, 8080)
    assert settings.default_lang == "ru"


def test_environment_overrides_ports_and_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_PORTS__GATEWAY", "9080")
    monkeypatch.setenv("ASSISTANT_DEFAULT_LANG", "en")
    settings = load_settings()
    assert settings.ports.gateway == 9080
    assert settings.url("gateway") == "http://127.0.0.1:9080"
    assert settings.default_lang == "en"


def test_another_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("ports: {rasa: 6006}\nendpointing: {phone: {silence_ms: 1200}}\n")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    settings = load_settings()
    assert settings.ports.rasa == 6006
    assert settings.endpointing_for("phone").silence_ms == 1200


def test_children_inherit_the_parents_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_PORTS__RASA", "6106")
    specs = {spec.name: spec for spec in stack(load_settings())}
    assert set(specs) == {"cityservices", "actions", "rasa", "gateway"}
    assert specs["gateway"].env["ASSISTANT_PORTS__RASA"] == "6106"
    assert "6106" in specs["rasa"].command
    assert specs["rasa"].env["ACTION_ENDPOINT_URL"].endswith(":5055/webhook")
    assert specs["actions"].env["CITY_API_URL"] == "http://127.0.0.1:8000"
