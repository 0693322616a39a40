"""Issue 11, finding 1: only the gateway faces the network; the internal doors check callers.

What `assistant up` starts (assistant/cli/stack.py): Rasa, the action server and the city API on
`internal_host` even when the gateway is public, Rasa's API behind a token that is not on any
command line, and each child given only its own shared secrets.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from assistant.cli.stack import base_env, stack, with_secrets
from assistant.gateway.dialogue import DialogueClient
from assistant.settings import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[3]
INTERNAL = ("cityservices", "actions", "rasa")


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("ASSISTANT_", "CITY_")):
            monkeypatch.delenv(name)


def public_gateway() -> Settings:
    return Settings(host="0.0.0.0", internal_host="127.0.0.1")


def bind_of(command: tuple[str, ...]) -> str:
    flag = "--interface" if "--interface" in command else "--host"
    return command[command.index(flag) + 1]


def test_internal_processes_bind_internal_host_even_when_the_gateway_is_public() -> None:
    specs = {spec.name: spec for spec in stack(public_gateway())}
    assert bind_of(specs["gateway"].command) == "0.0.0.0"
    for name in INTERNAL:
        assert bind_of(specs[name].command) == "127.0.0.1", name
        assert specs[name].health_url.startswith("http://127.0.0.1:"), name
    assert specs["rasa"].env["ACTION_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert specs["actions"].env["ASSISTANT_INTERNAL_HOST"] == "127.0.0.1"


def test_the_processes_reach_each_other_on_internal_host() -> None:
    settings = Settings(host="0.0.0.0", internal_host="10.1.2.3")
    assert settings.url("rasa") == "http://10.1.2.3:5005"
    assert settings.url("cityservices") == "http://10.1.2.3:8000"
    assert settings.url("gateway") == "http://0.0.0.0:8080"


def test_rasa_serves_its_api_with_a_token_that_is_on_no_command_line() -> None:
    settings = with_secrets(public_gateway())
    specs = {spec.name: spec for spec in stack(settings)}
    rasa = specs["rasa"]
    assert "--enable-api" in rasa.command and "--auth-token" not in rasa.command
    assert rasa.command[1].endswith("nlu/serve.py")
    everything = [arg for spec in specs.values() for arg in spec.command]
    for secret in settings.secrets.model_dump().values():
        assert len(secret) >= 32
        assert not any(secret in arg for arg in everything)
    assert rasa.env["ASSISTANT_SECRETS__RASA_TOKEN"] == settings.secrets.rasa_token


def test_each_child_gets_only_its_own_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_SECRETS__RASA_TOKEN", "from-the-parent")
    assert "ASSISTANT_SECRETS__RASA_TOKEN" not in base_env()
    specs = {spec.name: spec for spec in stack(load_settings())}
    secrets_of = {name: {k for k in spec.env if k.startswith("ASSISTANT_SECRETS__")}
                  for name, spec in specs.items()}
    assert secrets_of == {
        "cityservices": set(),
        "actions": {"ASSISTANT_SECRETS__ACTIONS_TOKEN"},
        "gateway": {"ASSISTANT_SECRETS__CHANNEL_SECRET"},
        "rasa": {"ASSISTANT_SECRETS__RASA_TOKEN", "ASSISTANT_SECRETS__CHANNEL_SECRET",
                 "ASSISTANT_SECRETS__ACTIONS_TOKEN"},
    }
    # the two ends of each secret agree; a configured one is used as given
    assert specs["rasa"].env["ASSISTANT_SECRETS__RASA_TOKEN"] == "from-the-parent"
    assert (specs["gateway"].env["ASSISTANT_SECRETS__CHANNEL_SECRET"]
            == specs["rasa"].env["ASSISTANT_SECRETS__CHANNEL_SECRET"])
    assert (specs["actions"].env["ASSISTANT_SECRETS__ACTIONS_TOKEN"]
            == specs["rasa"].env["ASSISTANT_SECRETS__ACTIONS_TOKEN"])


def test_secrets_are_random_per_start() -> None:
    first, second = with_secrets(Settings()), with_secrets(Settings())
    assert first.secrets.rasa_token != second.secrets.rasa_token
    values = first.secrets.model_dump().values()
    assert len(set(values)) == 3


def test_the_gateway_sends_the_channel_secret() -> None:
    client = DialogueClient.from_settings(Settings(secrets={"channel_secret": "s3cret-channel"}))
    assert client._http.headers["X-Channel-Secret"] == "s3cret-channel"
    assert str(client._http.base_url).startswith("http://127.0.0.1:5005")


def test_rasa_has_no_open_channel_and_signs_its_action_calls() -> None:
    credentials = yaml.safe_load((ROOT / "nlu" / "credentials.yml").read_text())
    assert set(credentials) == {"city_channel.CityInput", "health_channel.HealthInput",
                                "metrics_channel.MetricsInput"}  # both take no messages
    assert credentials["city_channel.CityInput"] == {
        "secret": "${ASSISTANT_SECRETS__CHANNEL_SECRET}"}
    endpoints = yaml.safe_load((ROOT / "nlu" / "endpoints.yml").read_text())
    assert endpoints["action_endpoint"]["headers"] == {
        "Authorization": "Bearer ${ASSISTANT_SECRETS__ACTIONS_TOKEN}"}


@pytest.fixture(scope="module")
def serve() -> ModuleType:
    """nlu/serve.py runs in the Rasa environment; its argument rule is plain Python."""
    spec = importlib.util.spec_from_file_location("rasa_serve", ROOT / "nlu" / "serve.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rasa_gets_its_token_from_the_environment_only(serve: ModuleType) -> None:
    argv = serve.rasa_argv(["run", "--enable-api"], {"ASSISTANT_SECRETS__RASA_TOKEN": "t0k"})
    assert argv == ["rasa", "run", "--enable-api", "--auth-token=t0k"]
    with pytest.raises(SystemExit, match="not set"):
        serve.rasa_argv(["run", "--enable-api"], {})
    for given in (["--auth-token", "x"], ["--auth-token=x"], ["-t", "x"]):
        with pytest.raises(SystemExit):
            serve.rasa_argv(["run", *given], {"ASSISTANT_SECRETS__RASA_TOKEN": "t"})


def test_a_token_that_begins_with_a_dash_reaches_rasa_whole(serve: ModuleType) -> None:
    """secrets.token_urlsafe begins with "-" once in 64 starts; Rasa's argparse option
    (`-t/--auth-token`, type str) must still read it as the value."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--enable-api", action="store_true")
    parser.add_argument("-t", "--auth-token", type=str)
    for token in ("-Zx9_", "--ab", "plain"):
        argv = serve.rasa_argv(["run", "--enable-api"], {"ASSISTANT_SECRETS__RASA_TOKEN": token})
        assert parser.parse_args(argv[2:]).auth_token == token


def test_production_refuses_the_demo_key_for_any_city_client(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_ENV", "production")
    monkeypatch.setenv("ASSISTANT_CHANNELS__VOICE_TOKENS", '["s3cret-device"]')
    monkeypatch.setenv("ASSISTANT_CHANNELS__OPERATOR_TOKENS", '["s3cret-operator"]')
    monkeypatch.setenv("ASSISTANT_CHANNELS__ROUTE_TOKENS", '["s3cret-pbx"]')
    monkeypatch.setenv("CITY_API_KEY", "s3cret-key-of-the-actions")
    load_settings()
    monkeypatch.setenv("ASSISTANT_CITY__CLIENTS", '{"ops": "demo-city-key"}')
    with pytest.raises(ConfigError, match=r"city\.clients"):
        load_settings()
