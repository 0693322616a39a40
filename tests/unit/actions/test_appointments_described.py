"""Issue 10: cancel and reschedule by description; lists that tell visits apart; the reschedule
read-back names the clinic and the doctor; a change of mind ends any task politely."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from action_fakes import FakeCity, customs, slots_of, texts, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.city_client import Appointment
from actions.task_actions import ActionInform, task_action
from spoken.normalize import normalize

CLINIC_1 = {"id": "c1", "name_ru": "Поликлиника 1", "name_en": "Clinic 1"}
CLINIC_2 = {"id": "c2", "name_ru": "Поликлиника 2", "name_en": "Clinic 2"}


def visit(i: int, specialty: str, start: str, clinic: dict[str, str],
          doctor: str = "Анна Смирнова") -> Appointment:
    return Appointment.model_validate({
        "id": i, "reference": f"A{i:06d}", "start": start, "serviceType": specialty,
        "clinic": clinic, "practitioner": {"id": f"p{i}", "name_ru": doctor, "name_en": doctor}})


@pytest.fixture(autouse=True)
def moscow() -> Iterator[None]:
    with clock.frozen(datetime(2026, 11, 23, 22, 30, tzinfo=UTC)):  # Tue 24 Nov in Moscow
        yield


def city_with_visits() -> FakeCity:
    city = FakeCity()
    city.appointment_list = [
        visit(1, "therapist", "2026-11-24T08:00:00+03:00", CLINIC_1),
        visit(2, "therapist", "2026-11-24T08:00:00+03:00", CLINIC_2, "Олег Иванов"),
        visit(3, "dentist", "2026-11-27T10:30:00+03:00", CLINIC_1),
    ]
    return city


async def run(city: FakeCity, action: str, said: str, lang: str = "ru",
              slots: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    d = CollectingDispatcher()
    events = await task_action(action, lambda: city).run(
        d, tracker(normalize(said, lang), action.removeprefix("action_"), lang=lang,
                   slots={"patient_token": "tok", **(slots or {})}), {})
    return slots_of(events), texts(d)


async def test_one_match_goes_straight_to_confirming_it() -> None:
    got, said = await run(city_with_visits(), "action_cancel_appointment",
                          "отмените запись к стоматологу")
    assert got["pending"]["kind"] == "confirm"
    assert said[0].startswith("Отменить запись: стоматолог, пятница, 27 ноября, 10:30")
    got, said = await run(city_with_visits(), "action_cancel_appointment",
                          "cancel the one on friday", lang="en")
    assert got["pending"]["kind"] == "confirm" and "dentist" in said[0]


async def test_several_matches_are_told_apart() -> None:
    got, said = await run(city_with_visits(), "action_cancel_appointment",
                          "отмените запись к терапевту")
    assert got["pending"]["need"] == "pick"
    assert "1) терапевт, вторник, 24 ноября, 08:00, Поликлиника 1, врач Анна Смирнова" in said[0]
    assert "2) терапевт, вторник, 24 ноября, 08:00, Поликлиника 2, врач Олег Иванов" in said[0]
    assert "стоматолог" not in said[0]
    city = city_with_visits()
    d = CollectingDispatcher()
    events = await ActionInform(lambda: city).run(
        d, tracker(normalize("второй", "ru"), slots={"patient_token": "tok",
                                                     "pending": got["pending"]}), {})
    assert slots_of(events)["pending"]["kind"] == "confirm"
    assert slots_of(events)["pending"]["data"]["appointment"]["id"] == 2


async def test_reschedule_read_back_names_clinic_and_doctor() -> None:
    city = FakeCity()
    got, _ = await run(city, "action_reschedule_appointment", "перенесите запись на 26 ноября")
    d = CollectingDispatcher()
    events = await ActionInform(lambda: city).run(
        d, tracker("1", slots={"patient_token": "tok", "pending": got["pending"]}), {})
    assert texts(d)[0] == ("Записываю: стоматолог, четверг, 26 ноября, 09:00, Поликлиника 1, "
                           "врач Анна Смирнова. Подтверждаете?")
    assert slots_of(events)["pending"]["kind"] == "confirm"


@pytest.mark.parametrize(("said", "lang"), [("а не надо я передумал", "ru"),
                                            ("never mind", "en")])
async def test_a_change_of_mind_ends_any_task_and_keeps_the_session(said: str,
                                                                    lang: str) -> None:
    city = FakeCity()
    got, _ = await run(city, "action_troika_balance", "баланс тройки", lang=lang)
    assert got["pending"]["need"] == "card_number"
    d = CollectingDispatcher()
    events = await ActionInform(lambda: city).run(
        d, tracker(normalize(said, lang), lang=lang, slots={"pending": got["pending"]}), {})
    assert slots_of(events)["pending"] is None
    assert texts(d)[0].startswith(("Хорошо, не буду", "OK, never mind"))
    assert not [c for c in customs(d) if c.get("event") == "end_session"]
    assert "troika" not in city.calls


async def test_dont_know_the_policy_in_a_task_keeps_the_question() -> None:
    city = FakeCity()
    got, _ = await run(city, "action_cancel_appointment", "отмените запись", slots={
        "patient_token": None})
    assert got["pending"]["need"] == "policy"
    d = CollectingDispatcher()
    events = await ActionInform(lambda: city).run(
        d, tracker("я не знаю номер полиса", slots={"pending": got["pending"]}), {})
    assert "Госуслуги" in texts(d)[0]
    assert "pending" not in slots_of(events)  # the question stays open
