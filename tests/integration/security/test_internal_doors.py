"""Issue 11, finding 1, on the real stack (`assistant up`, the session's shared stack): every door
but the gateway's public routes is closed. Rasa's HTTP API needs its token, its city channel the
gateway's secret, the action server Rasa's secret, the city API a client's key; the three
internal processes listen on 127.0.0.1 only; and a turn through the gateway still works.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from tests.fixtures.stack import RunningStack, Script, run_script

pytestmark = pytest.mark.rasa  # the shared stack, with Rasa
LISTEN = "0A"


def listening(port: int) -> set[str]:
    """The local addresses that listen on TCP `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] != LISTEN or int(hex_port, 16) != port:
                continue
            if v6:
                found.add("::" if set(address) == {"0"} else address)
            else:
                found.add(".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_rasas_http_api_needs_its_token(running_stack: RunningStack) -> None:
    rasa = running_stack.rasa_url
    assert httpx.get(f"{rasa}/conversations/x/tracker", timeout=30).status_code == 401
    assert httpx.delete(f"{rasa}/model", timeout=30).status_code == 401
    wrong = httpx.delete(f"{rasa}/model", params={"token": "guess"}, timeout=30)
    assert wrong.status_code == 401
    assert httpx.post(f"{rasa}/conversations/x/tracker/events", json=[{"event": "restart"}],
                      timeout=30).status_code == 401
    own = httpx.get(f"{rasa}/conversations/x/tracker",
                    params={"token": running_stack.rasa_token}, timeout=30)
    assert own.status_code == 200  # the token is what is checked
    assert httpx.get(f"{rasa}/healthz", timeout=30).status_code == 200  # stays open


def test_rasas_channels_take_the_gateways_calls_only(running_stack: RunningStack) -> None:
    rasa = running_stack.rasa_url
    body = {"sender": f"intruder-{uuid.uuid4().hex[:6]}", "message": "привет",
            "metadata": {"lang": "ru", "channel": "web"}}
    city = f"{rasa}/webhooks/city/webhook"
    assert httpx.post(city, json=body, timeout=30).status_code == 401
    wrong = httpx.post(city, json=body, headers={"X-Channel-Secret": "guess"}, timeout=30)
    assert wrong.status_code == 403
    assert httpx.post(f"{rasa}/webhooks/rest/webhook", json=body, timeout=30).status_code == 404


def test_the_action_server_takes_rasas_calls_only(running_stack: RunningStack) -> None:
    actions = running_stack.url("actions")
    call = {"next_action": "action_session_start", "sender_id": "x", "version": "3.6.21",
            "tracker": {"sender_id": "x", "slots": {}, "events": [], "latest_message": {}},
            "domain": {}}
    assert httpx.post(f"{actions}/webhook", json=call, timeout=30).status_code == 401
    wrong = httpx.post(f"{actions}/webhook", json=call, timeout=30,
                       headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 403
    assert httpx.get(f"{actions}/actions", timeout=30).status_code == 401
    assert httpx.get(f"{actions}/healthz", timeout=30).status_code == 200


def test_the_city_api_wants_a_clients_key_for_personal_records(
        running_stack: RunningStack) -> None:
    city = running_stack.city_url
    assert httpx.get(f"{city}/troika/v1/cards/0123456789", timeout=30).status_code == 401
    assert httpx.post(f"{city}/health/v1/patients/identify", timeout=30,
                      json={"policy_number": "7700000000000001",
                            "birth_date": "1980-01-01"}).status_code == 401


def test_internal_processes_listen_on_loopback_only(running_stack: RunningStack) -> None:
    for name in ("rasa", "actions", "cityservices"):
        addresses = listening(running_stack.ports[name])
        assert addresses, f"{name} listens on no address of port {running_stack.ports[name]}"
        assert addresses <= {"127.0.0.1"}, (name, addresses)


def test_the_gateways_turns_still_reach_the_actions_and_the_city(
        running_stack: RunningStack) -> None:
    """Gateway -> Rasa (channel secret) -> action server (Rasa's bearer) -> city API (key)."""
    card = running_stack.city("GET", "/troika/v1/cards/0123456789")
    run_script(running_stack, Script("doors-troika", "ru", (
        ("баланс тройки", ("десять цифр",)),
        ("ноль один два три четыре пять шесть семь восемь девять",
         (f"{card['balance_rub']:g}",)),
    )))
