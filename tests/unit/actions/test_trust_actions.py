"""Issue 11 and issue 10 item 7 in the dialogue: the kindergarten status asks the child's birth
date; bookings carry an idempotency key of the conversation and the offer; the EMIAS refusals
are explained."""

from __future__ import annotations

from typing import Any

from action_fakes import KG_BIRTH, FakeCity, slot, slots_of, texts, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Reply
from actions.booking_steps import step_confirm
from actions.city_client import AlreadyBooked, Appointment, VisitOverlaps
from actions.task_actions import ActionInform, task_action


async def _kindergarten(lang: str, first: str, birth: str) -> tuple[list[str], FakeCity]:
    city = FakeCity()
    d = CollectingDispatcher()
    events = await task_action("action_kindergarten_status", lambda: city).run(
        d, tracker(first, "kindergarten_queue_status", lang=lang), {})
    state = slots_of(events)["pending"]
    said = texts(d)
    assert state["need"] == "child_birth" and city.calls == []  # the number alone: nothing
    d = CollectingDispatcher()
    await ActionInform(lambda: city).run(d, tracker(birth, lang=lang, slots={"pending": state}), {})
    return said + texts(d), city


async def test_kindergarten_asks_the_childs_birth_date_after_the_number() -> None:
    said, city = await _kindergarten("ru", "очередь в детский сад заявление 4455123",
                                     "первое июня 2021 года")
    assert "дату рождения ребёнка" in said[0]
    assert city.kg_birth_dates == [KG_BIRTH] and "17" in said[-1]
    said, city = await _kindergarten("en", "kindergarten queue application 4455123",
                                     "june 1 2021")
    assert "child's date of birth" in said[0] and "17" in said[-1]


async def test_kindergarten_a_wrong_birth_date_tells_nothing() -> None:
    said, city = await _kindergarten("ru", "очередь в детский сад заявление 4455123",
                                     "15 февраля 2022")
    assert city.kg_birth_dates == ["2022-02-15"]
    assert "не найдено" in said[-1] and "17" not in said[-1]


async def _confirm(city: FakeCity, sender: str = "t1", message_id: str = "m1") -> list[str]:
    d = CollectingDispatcher()
    offered = [slot(2, "2026-11-26T10:30:00+03:00").model_dump()]
    values: dict[str, Any] = {"specialty": "dentist", "slot_choice": "s2",
                              "offered_slots": offered}
    t = tracker("да", "affirm", slots={"patient_token": "tok"})  # sealed by the fake's tracker
    t.sender_id = sender
    t.latest_message["message_id"] = message_id
    await step_confirm(city, t, Reply(d, "ru"), values, "да")
    return texts(d)


async def test_a_booking_carries_a_key_of_the_conversation_and_the_offer() -> None:
    city = FakeCity()
    await _confirm(city)
    await _confirm(city)  # the same turn again (a replayed action): the same key
    await _confirm(city, sender="t2")
    await _confirm(city, message_id="m2")  # a later turn: a new key
    first, replayed, other_caller, later = city.keys
    assert first and first == replayed and len({first, other_caller, later}) == 3


class RefusingCity(FakeCity):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    async def book(self, token: str, slot_id: str | int,
                   idempotency_key: str | None = None) -> Appointment:
        raise self.error


async def test_emias_refusals_are_explained() -> None:
    said = await _confirm(RefusingCity(AlreadyBooked("specialty-already-booked", existing_id=7)))
    assert "уже есть запись" in said[0] and "перенести" in said[0]
    said = await _confirm(RefusingCity(VisitOverlaps("visit-overlaps")))
    assert "другая запись" in said[0]
