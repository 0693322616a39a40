"""Issue 11, finding 1: Rasa's city channel takes the gateway's calls only, the action server
Rasa's only, and the city API a key per client for mutations and personal records."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from actions.webhook_auth import refusal
from cityservices.deps import client_of
from cityservices.settings import CitySettings

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def channel_auth() -> ModuleType:
    """nlu/channel_auth.py imports no Rasa: it loads in the main environment."""
    spec = importlib.util.spec_from_file_location("channel_auth", ROOT / "nlu" / "channel_auth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_city_channel_needs_the_gateways_secret(channel_auth: ModuleType) -> None:
    check = channel_auth.caller_status
    assert check("s3cret", {}) == 401
    assert check("s3cret", {"X-Channel-Secret": ""}) == 401
    assert check("s3cret", {"X-Channel-Secret": "guess"}) == 403
    assert check("s3cret", {"X-Channel-Secret": "s3cret"}) is None
    assert check("s3cret", {"x-channel-secret": "s3cret"}) is None
    for empty in ("", "  ", None):
        with pytest.raises(channel_auth.ChannelSecretMissing):
            channel_auth.require_secret(empty)


def test_the_city_channel_checks_before_it_runs_a_turn() -> None:
    source = (ROOT / "nlu" / "city_channel.py").read_text()
    receive = source[source.index("async def receive"):]
    assert receive.index("caller_status(") < receive.index("self._handle(")
    assert "require_secret(" in source and "from_credentials" in source


def test_the_action_server_takes_rasas_calls_only() -> None:
    token = "rasa-to-actions"
    for path in ("/webhook", "/actions", "/anything"):
        assert refusal(token, path, {}) == 401
        assert refusal(token, path, {"authorization": "Basic " + token}) == 401
        assert refusal(token, path, {"authorization": "Bearer nope"}) == 403
        assert refusal(token, path, {"authorization": f"Bearer {token}"}) is None
    assert refusal("", "/webhook", {"authorization": "Bearer "}) == 401
    assert refusal("", "/webhook", {"authorization": "Bearer x"}) == 403  # no token: no caller
    for path in ("/health", "/healthz"):
        assert refusal(token, path, {}) is None


def test_a_key_per_client_names_the_client() -> None:
    settings = CitySettings(api_key="key-of-actions", clients={"ops": "key-of-ops"})
    assert client_of(settings, "key-of-actions") == "actions"
    assert client_of(settings, "key-of-ops") == "ops"
    assert client_of(settings, "key-of-someone") is None
    with pytest.raises(ValueError, match="share a key"):
        CitySettings(api_key="same", clients={"ops": "same"})
    with pytest.raises(ValueError, match="actions"):
        CitySettings(api_key="a", clients={"actions": "b"})
