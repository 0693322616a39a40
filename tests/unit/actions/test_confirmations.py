"""Issue 10: only a clear yes acts. Every kind of junk turn, at every confirmation (booking,
cancel, reschedule, a retry, an operator offer, a clarifying question), is asked again and
books, cancels or moves nothing."""

from __future__ import annotations

from typing import Any

import pytest
from action_fakes import FakeCity, slots_of, texts, tracker
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import ValidateBookingForm
from actions.pending import Pending
from actions.task_actions import ActionAffirm, ActionClarify, ActionDeny, ActionInform, task_action
from spoken.normalize import normalize

JUNK = ["", "   ", "\n", "👍", "🙂 🙂", "😡", "…", "?!", "ээ", "ммм", "ну", "hmm", "uh huh uh",
        "asdf qwerty", "что", "да нет", "yes no", "а сколько стоит тройка", "какая погода",
        "what time is it", "алло алло", "подождите", "не знаю"]
# how the NLU may have read the turn: (intent, confidence)
READINGS = [("affirm", 0.35), ("affirm", 0.95), ("nlu_fallback", 0.2), ("inform", 0.5)]
IDENTIFIED = {"patient_token": "tok", "policy_number": "************1234",
              "birth_date": "****-**-**", "specialty": "dentist", "date_pref": "2026-11-26"}


def junk_tracker(text: str, intent: str, confidence: float, slots: dict[str, Any],
                 active_loop: str | None = None) -> Tracker:
    t = tracker(normalize(text, "ru"), intent, slots=slots, active_loop=active_loop)
    t.latest_message["intent"]["confidence"] = confidence
    return t


def action_for(intent: str, city: FakeCity) -> Action:
    kinds: dict[str, Any] = {"affirm": ActionAffirm, "nlu_fallback": ActionClarify,
                             "inform": ActionInform, "deny": ActionDeny}
    action: Action = kinds[intent](lambda: city)
    return action


def nothing_done(city: FakeCity, events: list[dict[str, Any]]) -> None:
    assert city.booked == []
    assert "cancel" not in city.calls and "reschedule" not in city.calls
    assert not [e for e in events if e.get("event") == "followup"]


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("text", JUNK)
async def test_junk_at_the_booking_confirmation(text: str, reading: tuple[str, float]) -> None:
    city = FakeCity()
    slots = {**IDENTIFIED, "slot_choice": "s1", "requested_slot": "confirm",
             "offered_slots": [s.model_dump() for s in city.slot_list[:3]]}
    events = await ValidateBookingForm(lambda: city).run(
        CollectingDispatcher(), junk_tracker(text, *reading, slots, "booking_form"), {})
    nothing_done(city, events)
    got = slots_of(events)
    assert got.get("confirm") is None and got["requested_slot"] == "confirm"


async def _cancel_confirmation(city: FakeCity) -> dict[str, Any]:
    events = await task_action("action_cancel_appointment", lambda: city).run(
        CollectingDispatcher(), tracker("отмените запись к стоматологу",
                                        "cancel_appointment", slots={"patient_token": "tok"}),
        {})
    state = slots_of(events)["pending"]
    assert state["kind"] == "confirm"
    return {"patient_token": "tok", "pending": state}


async def _reschedule_confirmation(city: FakeCity) -> dict[str, Any]:
    events = await task_action("action_reschedule_appointment", lambda: city).run(
        CollectingDispatcher(), tracker("перенесите запись на 26 ноября",
                                        "reschedule_appointment",
                                        slots={"patient_token": "tok"}), {})
    slots = {"patient_token": "tok", "pending": slots_of(events)["pending"]}
    events = await ActionInform(lambda: city).run(
        CollectingDispatcher(), tracker("1", "inform", slots=slots), {})
    state = slots_of(events)["pending"]
    assert state["kind"] == "confirm"
    return {"patient_token": "tok", "pending": state}


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("which", ["cancel", "reschedule", "retry", "operator", "clarify"])
async def test_junk_at_every_other_confirmation(which: str,
                                                reading: tuple[str, float]) -> None:
    for text in JUNK:
        city = FakeCity()
        if which == "cancel":
            slots = await _cancel_confirmation(city)
        elif which == "reschedule":
            slots = await _reschedule_confirmation(city)
        else:
            task = "" if which == "operator" else "cancel_appointment"
            state = Pending(which, task, data={"token": "tok"},  # type: ignore[arg-type]
                            answer="отмените запись")
            slots = {"patient_token": "tok", "pending": state.to_slot()}
        city.calls.clear()
        d = CollectingDispatcher()
        events = await action_for(reading[0], city).run(
            d, junk_tracker(text, *reading, slots), {})
        nothing_done(city, events)
        assert texts(d), (which, text)  # asked again, never silence
        if which in ("cancel", "reschedule"):
            assert slots_of(events)["pending"]["kind"] == "confirm", (which, text)


async def test_a_clear_yes_still_books_and_cancels() -> None:
    city = FakeCity()
    slots = {**IDENTIFIED, "slot_choice": "s1", "requested_slot": "confirm",
             "offered_slots": [s.model_dump() for s in city.slot_list[:3]]}
    await ValidateBookingForm(lambda: city).run(
        CollectingDispatcher(), junk_tracker("да записывайте", "affirm", 0.9, slots,
                                             "booking_form"), {})
    assert city.booked == ["s1"]
    slots = await _cancel_confirmation(city)
    await ActionAffirm(lambda: city).run(CollectingDispatcher(),
                                         tracker("да", "affirm", slots=slots), {})
    assert "cancel" in city.calls
