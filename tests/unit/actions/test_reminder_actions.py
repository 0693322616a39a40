"""The reminder call's dialogue (actions/reminder.py) on a fake city: the opening needs a ticket,
the answer by key, number word or phrase, and cancel / reschedule go on in their own tasks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from action_fakes import APPOINTMENT, FakeCity, customs, slots_of, texts, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.city_client import NotFound, Patient, RedeemedReminder, TimeSlot
from actions.dialogue import ActionStop
from actions.reminder import choice_of
from actions.task_actions import ActionAffirm, ActionInform, task_action

TICKET = "t" * 32


class ReminderCity(FakeCity):
    def __init__(self, lang: str = "ru") -> None:
        super().__init__()
        self.lang = lang
        self.outcomes: list[tuple[str | int, str]] = []
        self.redeemed: list[str] = []
        self.days: list[str] = []

    async def redeem_reminder(self, ticket: str) -> RedeemedReminder:
        self._check("redeem")
        if ticket != TICKET or ticket in self.redeemed:
            raise NotFound("reminder-not-found")
        self.redeemed.append(ticket)
        return RedeemedReminder(token="patient-token", lang=self.lang, appointment=APPOINTMENT,
                                patient=Patient(id="pat-0001", name_ru="Иван Петров"))

    async def slots(self, specialty: str, date_from: str, date_to: str, limit: int = 10,
                    district: str | None = None) -> list[TimeSlot]:
        self.days.append(date_from)
        return await super().slots(specialty, date_from, date_to, limit, district)

    async def reminder_outcome(self, appointment_id: str | int, outcome: str) -> None:
        self._check("outcome")
        self.outcomes.append((appointment_id, outcome))


@pytest.fixture(autouse=True)
def _the_day_before() -> Iterator[None]:
    """The fake visit is on 2026-11-26: the calls are made the day before."""
    with clock.frozen(datetime.fromisoformat("2026-11-25T09:00:00+00:00")):
        yield


def _trigger(lang: str = "ru", ticket: str | None = TICKET) -> Any:
    entities = [{"entity": "reminder_ticket", "value": ticket}] if ticket else []
    return tracker("", "reminder_call", lang=lang, entities=entities)


async def _open(city: ReminderCity, lang: str = "ru") -> tuple[list[str], dict[str, Any]]:
    d = CollectingDispatcher()
    events = await task_action("action_reminder_call", lambda: city).run(d, _trigger(lang), {})
    return texts(d), slots_of(events)


@pytest.mark.parametrize(("said", "choice"), [
    ("1", "confirm"), ("один", "confirm"), ("подтверждаю", "confirm"), ("да я приду", "confirm"),
    ("2", "cancel"), ("два", "cancel"), ("отменить", "cancel"), ("не приду", "cancel"),
    ("three", "reschedule"), ("перенесите на пятницу", "reschedule"),
    ("i will be there", "confirm"), ("cancel it please", "cancel"), ("reschedule", "reschedule"),
    ("какая погода", None), ("4", None),
])
def test_the_answer_to_the_reminder(said: str, choice: str | None) -> None:
    assert choice_of(said) == choice


async def test_without_a_valid_ticket_nothing_of_the_visit_is_said() -> None:
    city = ReminderCity()
    for ticket in (None, "x" * 32):
        d = CollectingDispatcher()
        events = await task_action("action_reminder_call", lambda: city).run(
            d, _trigger(ticket=ticket), {})
        assert "больше не действует" in texts(d)[0]
        assert "patient_token" not in slots_of(events)
    assert city.redeemed == []


async def test_a_replayed_trigger_opens_nothing() -> None:
    city = ReminderCity()
    _, slots = await _open(city)  # the ticket is spent
    d = CollectingDispatcher()
    replay = _trigger()
    replay.slots.update(slots)
    events = await task_action("action_reminder_call", lambda: city).run(d, replay, {})
    assert "больше не действует" in texts(d)[0] and slots_of(events)["pending"] is None


async def test_the_reminder_names_the_visit_then_a_key_confirms_it() -> None:
    city = ReminderCity()
    said, slots = await _open(city)
    assert said[0].startswith("Напоминаем: завтра в 10:30 приём у стоматолога")
    assert "Нажмите 1" in said[0]
    assert slots["pending"]["task"] == "reminder_call" and "patient_token" in slots
    d = CollectingDispatcher()
    events = await ActionInform(lambda: city).run(d, tracker("1", slots=slots), {})
    assert city.outcomes == [(7, "confirmed")]
    assert "визит подтверждён" in texts(d)[0]
    assert {"event": "end_session", "reason": "reminder-confirmed"} in customs(d)
    assert slots_of(events)["pending"] is None


async def test_cancel_said_as_stop_goes_on_in_the_cancel_task() -> None:
    city = ReminderCity()
    _, slots = await _open(city)
    d = CollectingDispatcher()  # "отменить" is the `stop` intent; here it answers the reminder
    events = await ActionStop().run(d, tracker("отменить", "stop", slots=slots), {})
    state = slots_of(events)["pending"]
    assert state["task"] == "cancel_appointment" and state["kind"] == "confirm"
    assert "Нажмите 1, если да" in texts(d)[-1]
    d = CollectingDispatcher()
    await ActionAffirm(lambda: city).run(d, tracker("да", "affirm", slots={
        **slots, "pending": state}), {})
    assert "cancel" in city.calls and "отменена" in " ".join(texts(d)).lower()


async def test_the_reminder_speaks_the_patients_language() -> None:
    city = ReminderCity("en")
    d = CollectingDispatcher()  # the call opened in the phone's default language, Russian
    events = await task_action("action_reminder_call", lambda: city).run(d, _trigger("ru"), {})
    assert texts(d)[0].startswith("This is a reminder: tomorrow at 10:30 you have a visit to "
                                  "the dentist")
    assert {"event": "language", "lang": "en"} in customs(d)
    assert slots_of(events)["lang"] == "en"


async def test_cancel_said_in_words_is_no_change_of_mind() -> None:
    city = ReminderCity()
    _, slots = await _open(city)
    d = CollectingDispatcher()  # "отмените" elsewhere drops the task; here it cancels the visit
    events = await task_action("action_cancel_appointment", lambda: city).run(
        d, tracker("отмените пожалуйста", "cancel_appointment", slots=slots), {})
    assert slots_of(events)["pending"]["task"] == "cancel_appointment"
    assert texts(d)[0].startswith("Отменить запись")


async def test_reschedule_by_key_offers_the_day_after_the_visit() -> None:
    city = ReminderCity("en")
    _, slots = await _open(city, "en")
    d = CollectingDispatcher()
    events = await task_action("action_cancel_appointment", lambda: city).run(
        d, tracker("3", "cancel_appointment", lang="en", slots=slots), {})
    state = slots_of(events)["pending"]
    assert state["task"] == "reschedule_appointment"
    assert city.days == ["2026-11-27"]  # the day after the visit (November 26) is offered
    assert "Which one?" in texts(d)[0]
