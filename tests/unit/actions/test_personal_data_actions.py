"""Personal data at rest (issue 11): the events the actions return (Rasa stores them in the
tracker) never carry a full policy number, a birth date or the patient token; those live in the
action server's memory (actions/vault.py), and a forgotten one makes the caller identify again."""

from __future__ import annotations

import json
from typing import Any

from action_fakes import BIRTH, POLICY, FakeCity, slot, slots_of, texts, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Reply
from actions.booking import ValidateBookingForm
from actions.booking_steps import step_confirm
from actions.city_client import Appointment
from actions.task_actions import ActionInform, task_action
from actions.vault import held_policy, held_token, seal

TOKEN = "tok"  # FakeCity's patient token


class TokenCity(FakeCity):
    """Remembers the tokens it was called with."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[str] = []

    async def book(self, token: str, slot_id: str | int,
                   idempotency_key: str | None = None) -> Appointment:
        self.tokens.append(token)
        return await super().book(token, slot_id, idempotency_key)

    async def appointments(self, token: str) -> list[Appointment]:
        self.tokens.append(token)
        return await super().appointments(token)


def assert_no_personal_data(events: list[dict[str, Any]]) -> None:
    stored = json.dumps(events, ensure_ascii=False)
    for secret in (POLICY, "7712 3456 7890 1234", BIRTH, "1985", f'"{TOKEN}"'):
        assert secret not in stored, f"{secret!r} in the events the tracker keeps: {stored}"


async def form_turn(city: FakeCity, text: str, slots: dict[str, Any], intent: str = "inform",
                    ) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    d = CollectingDispatcher()
    events = await ValidateBookingForm(lambda: city).run(
        d, tracker(text, intent, slots=slots, active_loop="booking_form"), {})
    slots.update(slots_of(events))  # what the next turn reads back from the tracker store
    return events, d


async def test_a_booking_dialogue_stores_no_policy_birth_date_or_token() -> None:
    city, slots = TokenCity(), {"requested_slot": None}
    returned: list[dict[str, Any]] = []
    for text, intent in (("запишите к стоматологу", "book_appointment"), (POLICY, "inform"),
                         ("14 марта 1985", "inform")):
        events, d = await form_turn(city, text, slots, intent)
        returned += events
    assert "Иван Петров" in " ".join(texts(d))  # identified; the token is sealed in its slot
    assert held_token(slots["patient_token"]) == TOKEN and TOKEN not in slots["patient_token"]
    assert slots["policy_number"] == "************1234"
    assert slots["requested_slot"] == "date_pref"
    assert_no_personal_data(returned)
    # the confirmation, turns later: the token is opened from its sealed slot
    values: dict[str, Any] = {"specialty": "dentist", "slot_choice": "s2",
                              "offered_slots": [slot(2, "2026-11-26T10:30:00+03:00").model_dump()]}
    d = CollectingDispatcher()
    events = await step_confirm(city, tracker("да", "affirm", slots=slots), Reply(d, "ru"),
                                values, "да")
    assert city.tokens == [TOKEN] and slots_of(events or [])["booking_ref"]
    assert_no_personal_data(events or [])


async def test_a_sealed_policy_survives_a_restart_but_not_tampering() -> None:
    city, slots = TokenCity(), {"requested_slot": "policy_number", "specialty": "dentist"}
    await form_turn(city, POLICY, slots)
    assert held_policy(slots["policy_number"]) == POLICY  # any action server opens it
    slots["policy_number"] = slots["policy_number"][:-6] + "AAAAAA"  # tampered: no longer opens
    events, _ = await form_turn(city, "14 марта 1985", slots)
    assert "identify" not in city.calls
    assert slots["policy_number"] is None and slots["requested_slot"] == "policy_number"
    assert_no_personal_data(events)


async def test_an_unreadable_token_makes_the_caller_identify_again() -> None:
    city = TokenCity()
    values: dict[str, Any] = {"specialty": "dentist", "slot_choice": "s2",
                              "policy_number": "************1234", "birth_date": "****-**-**"}
    d = CollectingDispatcher()
    forged = {"patient_token": seal("x")[:-4] + "AAAA"}
    events = await step_confirm(city, tracker("да", "affirm", slots=forged),
                                Reply(d, "ru"), values, "да")
    assert "book" not in city.calls
    got = slots_of(events or [])
    assert got["policy_number"] is None and got["patient_token"] is None


async def test_listing_appointments_keeps_policy_and_token_out_of_the_task_state() -> None:
    city, returned = TokenCity(), []
    d = CollectingDispatcher()
    events = await task_action("action_list_appointments", lambda: city).run(
        d, tracker("какие у меня записи", "list_appointments"), {})
    returned += events
    for answer in (POLICY, "14 марта 1985"):
        d = CollectingDispatcher()
        events = await ActionInform(lambda: city).run(
            d, tracker(answer, "inform", slots={"pending": slots_of(returned)["pending"]}), {})
        returned += events
    assert city.tokens == [TOKEN], texts(d)
    assert_no_personal_data(returned)


def test_a_sealed_value_is_ciphertext_and_opens_only_whole() -> None:
    kept = seal(POLICY)
    assert kept.startswith("sealed:") and POLICY not in kept
    assert held_policy(kept) == POLICY
    assert held_policy(POLICY) is None and held_policy("sealed:junk") is None
    assert held_policy(None) is None
