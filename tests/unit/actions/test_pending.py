"""The typed `pending` slot: round trip through the tracker's JSON, malformed values ignored."""

from __future__ import annotations

import json

import pytest
from action_fakes import FakeCity, slots_of, texts, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.pending import Pending
from actions.task_actions import ActionDeny, ActionInform
from actions.tasks import pending


def test_round_trip_through_json() -> None:
    states = [
        Pending("ask", "troika_balance", need="card_number", data={"card": "1"}, fails=2),
        Pending("confirm", "cancel_appointment", data={"appointment": {"id": 7}}),
        Pending("retry", "troika_balance", data={"card": "0123456789"}, answer="да"),
        Pending("operator", "booking_form"),
        Pending("clarify", "troika_balance"),
    ]
    for state in states:
        assert Pending.from_slot(json.loads(json.dumps(state.to_slot()))) == state


def test_slot_shape_is_plain_json() -> None:
    assert Pending("clarify", "troika_balance").to_slot() == {"kind": "clarify",
                                                              "task": "troika_balance"}
    asked = Pending("ask", "request_status", need="request_id", fails=1).to_slot()
    assert asked == {"kind": "ask", "task": "request_status", "need": "request_id", "fails": 1}


@pytest.mark.parametrize("value", [
    None, "ask", 3, [], {}, {"kind": "wait", "task": "x"}, {"task": "troika_balance"},
    {"kind": "ask", "task": 5}, {"kind": "ask", "task": "x", "data": [1]},
    {"kind": "ask", "task": "x", "fails": "two"}, {"kind": "ask", "task": "x", "fails": -1},
    {"kind": "ask", "task": "x", "need": 4}, {"kind": "retry", "task": "x", "answer": 1},
])
def test_a_malformed_slot_is_no_pending_state(value: object) -> None:
    assert Pending.from_slot(value) is None


def test_an_older_nested_retry_keeps_its_data() -> None:
    old = {"kind": "retry", "task": "troika_balance", "answer": None,
           "state": {"data": {"card": "0123456789"}}}
    state = Pending.from_slot(old)
    assert state is not None and state.data == {"card": "0123456789"}


async def test_a_malformed_slot_reads_as_nothing_pending() -> None:
    broken = {"kind": "ask", "task": "troika_balance", "fails": "many"}
    assert pending(tracker("0123456789", slots={"pending": broken})) is None
    d = CollectingDispatcher()
    await ActionInform(lambda: FakeCity()).run(
        d, tracker("0123456789", slots={"pending": broken}), {})
    assert "Тройк" not in texts(d)[0]  # not treated as the card number answer
    d = CollectingDispatcher()
    events = await ActionDeny(lambda: FakeCity()).run(
        d, tracker("нет", "deny", slots={"pending": broken}), {})
    assert slots_of(events)["pending"] is None
