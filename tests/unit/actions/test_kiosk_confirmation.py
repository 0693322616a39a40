"""The `confirmation` event a screen needs for its card (the kiosk's reference and QR code):
sent with the spoken confirmation of a booking and of a reschedule, in both languages, and
never before the caller's yes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from action_fakes import FakeCity, customs, slots_of, texts, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.booking import ValidateBookingForm
from actions.task_actions import ActionAffirm, ActionInform, task_action
from spoken.normalize import normalize

IDENTIFIED = {"patient_token": "tok", "policy_number": "************1234",
              "birth_date": "****-**-**", "specialty": "dentist", "date_pref": "2026-11-26"}


@pytest.fixture(autouse=True)
def moscow() -> Iterator[None]:
    with clock.frozen(datetime(2026, 11, 23, 22, 30, tzinfo=UTC)):  # Tue 24 Nov in Moscow
        yield


def confirmations(d: CollectingDispatcher) -> list[dict[str, Any]]:
    return [c for c in customs(d) if c.get("event") == "confirmation"]


@pytest.mark.parametrize(("yes", "no", "lang", "specialty"),
                         [("да", "нет", "ru", "стоматолог"), ("yes", "no", "en", "dentist")])
async def test_a_booking_sends_its_reference_for_the_screen(yes: str, no: str, lang: str,
                                                            specialty: str) -> None:
    city = FakeCity()
    slots = {**IDENTIFIED, "requested_slot": "confirm", "slot_choice": "s2",
             "offered_slots": [s.model_dump() for s in city.slot_list[:3]]}
    d = CollectingDispatcher()
    await ValidateBookingForm(lambda: city).run(
        d, tracker(no, "deny", lang=lang, slots=slots, active_loop="booking_form"), {})
    assert confirmations(d) == []
    d = CollectingDispatcher()
    await ValidateBookingForm(lambda: city).run(
        d, tracker(yes, "affirm", lang=lang, slots=slots, active_loop="booking_form"), {})
    [card] = confirmations(d)
    assert card["kind"] == "booked" and card["reference"] == "A000007"
    assert card["specialty"] == specialty and card["when"] and card["when"] in texts(d)[0]


@pytest.mark.parametrize(("yes", "lang", "moved"), [("да", "ru", "перенесена"),
                                                    ("yes", "en", "moved")])
async def test_a_reschedule_sends_its_reference_for_the_screen(yes: str, lang: str,
                                                               moved: str) -> None:
    city = FakeCity()
    said = {"ru": "перенесите запись на 26 ноября",
            "en": "move my appointment to 26 november"}[lang]
    d = CollectingDispatcher()
    events = await task_action("action_reschedule_appointment", lambda: city).run(
        d, tracker(normalize(said, lang), "reschedule_appointment", lang=lang,
                   slots={"patient_token": "tok"}), {})
    pending = slots_of(events)["pending"]
    d = CollectingDispatcher()
    events = await ActionInform(lambda: city).run(
        d, tracker("1", lang=lang, slots={"patient_token": "tok", "pending": pending}), {})
    assert confirmations(d) == []  # read back, not yet done
    d = CollectingDispatcher()
    await ActionAffirm(lambda: city).run(d, tracker(yes, "affirm", lang=lang, slots={
        "patient_token": "tok", "pending": slots_of(events)["pending"]}), {})
    assert "reschedule" in city.calls and moved in texts(d)[0]
    [card] = confirmations(d)
    assert card["kind"] == "rescheduled" and card["reference"] == "A000007"
    assert card["when"] in texts(d)[0]
