from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.cli.stack import stack
from assistant.settings import ConfigError, Settings, load_settings


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read config.yml itself: no override from the caller's environment."""
    import os

    for name in list(os.environ):
        if name.startswith(("ASSISTANT_", "CITY_")):
            monkeypatch.delenv(name)


def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(text)
    monkeypatch.setenv("ASSISTANT_CONFIG", str(path))
    return path


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
    config(tmp_path, monkeypatch, "ports: {rasa: 6006}\nendpointing: {phone: {silence_ms: 1200}}\n")
    settings = load_settings()
    assert settings.ports.rasa == 6006
    assert settings.endpointing_for("phone").silence_ms == 1200


def test_a_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "nope.yml"))
    with pytest.raises(ConfigError, match=r"ASSISTANT_CONFIG names .*nope\.yml"):
        load_settings()


def test_unknown_key_in_the_file_names_key_and_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = config(tmp_path, monkeypatch, "ports: {gatway: 1}\nhots: x\n")
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert "unknown key 'ports.gatway'" in message and "unknown key 'hots'" in message
    assert str(path) in message


def test_unknown_nested_env_var_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_PORTS__GATWAY", "1")
    with pytest.raises(ConfigError, match=r"ports\.gatway.*environment variable "
                                          "ASSISTANT_PORTS__GATWAY"):
        load_settings()


def test_unrelated_env_var_is_ignored_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ASSISTANT_MODELS_BASE_URL", "http://mirror")
    with caplog.at_level(logging.WARNING, logger="assistant.settings"):
        settings = load_settings()
    assert settings.asr.models_base_url == "https://alphacephei.com/vosk/models"
    assert "ASSISTANT_MODELS_BASE_URL names no setting" in caplog.text


def test_bad_value_names_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config(tmp_path, monkeypatch, "asr: {sha256: {ru: not-a-hash}}\n")
    with pytest.raises(ConfigError, match=r"asr\.sha256"):
        load_settings()


def test_default_language_must_be_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_LANGUAGES", '["ru"]')
    monkeypatch.setenv("ASSISTANT_DEFAULT_LANG", "en")
    with pytest.raises(ConfigError, match="default_lang 'en' is not one of languages"):
        load_settings()


def test_production_refuses_the_demo_tokens_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_ENV", "production")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "demo-speaker-token" in str(err.value) and "demo-city-key" in str(err.value)
    assert "demo-operator-token" in str(err.value) and "demo-pbx-token" in str(err.value)
    monkeypatch.setenv("ASSISTANT_CHANNELS__VOICE_TOKENS", '["s3cret-device"]')
    monkeypatch.setenv("ASSISTANT_CHANNELS__OPERATOR_TOKENS", '["s3cret-operator"]')
    monkeypatch.setenv("ASSISTANT_CHANNELS__ROUTE_TOKENS", '["s3cret-pbx"]')
    monkeypatch.setenv("CITY_API_KEY", "s3cret-key")
    assert load_settings().channels.voice_tokens == ["s3cret-device"]
    monkeypatch.setenv("ASSISTANT_ENV", "development")
    monkeypatch.delenv("ASSISTANT_CHANNELS__VOICE_TOKENS")
    assert "demo-kiosk-token" in load_settings().channels.voice_tokens


def test_children_inherit_the_parents_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_PORTS__RASA", "6106")
    specs = {spec.name: spec for spec in stack(load_settings())}
    assert set(specs) == {"cityservices", "actions", "rasa", "gateway"}
    assert specs["gateway"].env["ASSISTANT_PORTS__RASA"] == "6106"
    assert "6106" in specs["rasa"].command
    assert specs["rasa"].env["ACTION_ENDPOINT_URL"].endswith(":5055/webhook")
    # each child loads config.yml itself: the same file, whatever folder it runs in
    assert Path(specs["actions"].env["ASSISTANT_CONFIG"]).is_absolute()
    assert specs["actions"].env["ASSISTANT_PORTS__CITYSERVICES"] == "8000"


def test_languages_restrict_the_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.gateway.app import create_app

    settings = Settings(languages=["ru"], channels={"audiosocket_port": 0})
    with TestClient(create_app(settings)) as http:
        refused = http.post("/v1/text", json={"session_id": "s1", "text": "hi", "lang": "en"})
    assert refused.status_code == 422 and "not served" in refused.text


def test_log_mask_switches_the_filter() -> None:
    from assistant.gateway.logs import PiiMaskingFilter, _GatewayHandler, configure_logging

    root = logging.getLogger()
    before = list(root.handlers)
    try:
        configure_logging(mask=False)
        handler = next(h for h in root.handlers if isinstance(h, _GatewayHandler))
        assert not any(isinstance(f, PiiMaskingFilter) for f in handler.filters)
        configure_logging(mask=True)
        assert [type(f) for f in handler.filters] == [PiiMaskingFilter]
    finally:
        for added in [h for h in root.handlers if h not in before]:
            root.removeHandler(added)
