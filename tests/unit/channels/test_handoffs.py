"""The gateway's handoff registry (bounded, aged), the fork `transfer` event, and the production
refusal of the demo operator and PBX tokens."""

from __future__ import annotations

import pytest

from assistant.gateway import handoffs
from assistant.gateway.channels.audio_fork import fork_shape
from assistant.gateway.handoffs import HandoffRegistry
from assistant.gateway.wire import ForkTransfer, parse_fork_event
from assistant.settings import ConfigError, Settings, refuse_demo_secrets

CALL = "0B7C1C52-6A2F-4B0E-9D1E-7F0C8E5A2B11"


def test_add_route_take_and_the_queue_per_language() -> None:
    registry = HandoffRegistry("operators-{lang}", keep_s=60)
    registry.add(CALL, "phone", "ru", {"task": "booking"}, [])
    record = registry.route(CALL.lower())  # Asterisk's ${UUID()} is lower case
    assert record is not None and record.queue == "operators-ru" and record.state == "queued"
    assert registry.route("unknown") is None
    assert registry.take(CALL) and not registry.take(CALL)
    assert registry.snapshot()["items"][0]["state"] == "taken"


def test_bounded_and_aged(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(handoffs.time, "time", lambda: now[0])
    registry = HandoffRegistry(keep_s=60, limit=3)
    for n in range(5):
        registry.add(f"call-{n}", "phone", "en", {}, [])
    assert [r.call_id for r in registry] == ["call-2", "call-3", "call-4"]
    now[0] += 61
    assert len(registry) == 0


async def test_subscribers_get_a_snapshot_at_once_and_at_every_change() -> None:
    registry = HandoffRegistry()
    with registry.subscribe() as snapshots:
        assert (await snapshots.get())["items"] == []
        registry.add(CALL, "kiosk", "en", {"task": "troika"}, [{"who": "user", "text": "hi"}])
        item = (await snapshots.get())["items"][0]
        assert item["channel"] == "kiosk" and item["summary"]["task"] == "troika"
    registry.add("other", "phone", "ru", {}, [])  # no subscriber left: nothing queued


def test_the_fork_transfer_goes_out_as_is() -> None:
    event = ForkTransfer("operators-ru", "ru", CALL)
    assert fork_shape(event) is event
    assert parse_fork_event(event.to_json()) == event
    assert event.to_dict()["data"]["callId"] == CALL


def test_production_refuses_the_demo_operator_and_pbx_tokens() -> None:
    settings = Settings(channels={"operator_tokens": ["demo-operator-token"],
                                  "route_tokens": ["demo-pbx-token"]})
    with pytest.raises(ConfigError, match=r"operator_tokens.*route_tokens"):
        refuse_demo_secrets(settings)
