"""Parsing fixes found by the realistic dialogue suite (assistant/cli/bench/realistic/)."""

from __future__ import annotations

from datetime import date

import pytest
from action_fakes import FakeCity, texts, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking_extract import read_details
from actions.dialogue import ActionGreet
from actions.parsing import parse_birth_date, parse_day
from actions.task_actions import ActionInform, task_action

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(("said", "lang"), [
    ("на следующей неделе во вторник", "ru"), ("next week on tuesday", "en"),
    ("во вторник на следующей неделе", "ru"),
])
def test_weekday_of_next_week_either_order(said: str, lang: str) -> None:
    found = parse_day(said, lang, MONDAY)
    assert found is not None and found.day == date(2026, 12, 8)


@pytest.mark.parametrize(("said", "lang"), [("the 1", "en"), ("вариант 2", "ru"), ("3", "ru")])
def test_an_option_number_is_no_day_of_month(said: str, lang: str) -> None:
    assert read_details(said, lang, MONDAY, "slot_choice").day is None


def test_a_clock_time_is_still_read_at_the_offer() -> None:
    details = read_details("давайте в 3 часа дня", "ru", MONDAY, "slot_choice")
    assert str(details.clock) == "15:00"


def test_a_day_of_month_is_still_read_at_the_offer() -> None:
    found = read_details("давайте 3 числа", "ru", MONDAY, "slot_choice").day
    assert found is not None and found.day == date(2026, 12, 3)


@pytest.mark.parametrize("said", ["ребёнок родился 1 июня 21 года", "сын родился 1 июня 2021"])
def test_birth_date_with_words_about_the_child(said: str) -> None:
    assert parse_birth_date(said, "ru", MONDAY) == date(2021, 6, 1)


async def test_a_doctor_named_outside_a_task_starts_the_booking() -> None:
    for action, text, intent in ((ActionInform(lambda: FakeCity()), "к кардиологу на среду",
                                  "inform"),
                                 (ActionGreet(), "алло мне бы к хирургу на пятницу", "greet")):
        events = await action.run(CollectingDispatcher(), tracker(text, intent), {})
        assert any(e.get("event") == "followup" and e.get("name") == "booking_form"
                   for e in events), events


async def test_transit_never_says_no_departures_for_a_route_it_could_not_read() -> None:
    d = CollectingDispatcher()
    await task_action("action_transport_arrivals", lambda: FakeCity()).run(
        d, tracker("когда автобус номер на пушкинской", "transport_arrivals",
                   entities=[{"entity": "route", "value": "номер"}]), {})
    assert "не расслышал" in " ".join(texts(d)).lower(), texts(d)
    d = CollectingDispatcher()
    await task_action("action_transport_arrivals", lambda: FakeCity()).run(
        d, tracker("when is the one 44 at pushkinskaya", "transport_arrivals", lang="en"), {})
    assert "144" in " ".join(texts(d)), texts(d)
