"""Issue 10: every detail of a turn is read, corrections and changes of mind at any step, help
instead of hang-ups. Texts are what the gateway hands on: spoken.normalize of Vosk words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from action_fakes import POLICY, FakeCity, customs, slots_of, texts, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.booking import ValidateBookingForm
from actions.booking_ask import ActionAskSlotChoice, ActionBookingDone
from actions.dialogue import ActionGoodbye, ActionInsult, ActionRepeat
from spoken.normalize import normalize

NOW = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # Moscow: Tuesday 24 November, 01:30
IDENTIFIED = {"patient_token": "tok", "policy_number": "************1234",
              "birth_date": "****-**-**", "specialty": "dentist", "date_pref": "2026-11-26"}


@pytest.fixture(autouse=True)
def moscow_night() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


async def validate(city: FakeCity, said: str, requested: str | None, lang: str = "ru",
                   slots: dict[str, Any] | None = None, intent: str = "inform",
                   ) -> tuple[dict[str, Any], CollectingDispatcher]:
    d = CollectingDispatcher()
    t = tracker(normalize(said, lang), intent, lang=lang,
                slots={**(slots or {}), "requested_slot": requested}, active_loop="booking_form")
    events = await ValidateBookingForm(lambda: city).run(d, t, {})
    return slots_of(events), d


def test_the_clock_is_moscow_time() -> None:
    assert clock.today().isoformat() == "2026-11-24"  # the host's UTC date is the 23rd
    assert clock.now().utcoffset() is not None


async def test_first_sentence_fills_specialty_day_and_part_of_day() -> None:
    got, _ = await validate(FakeCity(), "запишите меня к лору на четверг после обеда", None,
                            intent="book_appointment")
    assert got["specialty"] == "otolaryngologist"
    assert got["date_pref"] == "2026-11-26"
    assert got["time_pref"]["name"] == "afternoon"
    assert got["requested_slot"] == "policy_number"


async def test_tomorrow_at_eleven_is_offered_nearest_eleven_first() -> None:
    city = FakeCity()
    got, _ = await validate(city, "i need a cardiologist tomorrow at eleven", None, lang="en",
                            intent="book_appointment")
    assert got["specialty"] == "cardiologist"
    assert got["date_pref"] == "2026-11-25"  # the Moscow tomorrow
    assert got["time_pref"] == {"clock": "11:00"}
    d = CollectingDispatcher()
    slots = {**IDENTIFIED, "time_pref": got["time_pref"]}
    events = await ActionAskSlotChoice(lambda: city).run(d, tracker("", slots=slots), {})
    assert slots_of(events)["offered_slots"][0]["id"] == "s3"  # 11:00


async def test_nothing_said_is_asked_again() -> None:
    slots = {"specialty": "otolaryngologist", "date_pref": "2026-11-26",
             "time_pref": {"name": "afternoon", "start": "12:00", "end": "17:00"},
             "policy_number": POLICY}
    got, _ = await validate(FakeCity(), "14 марта 1985", "birth_date", slots=slots)
    assert got["requested_slot"] == "slot_choice"  # no "на какой день?" again


@pytest.mark.parametrize(("said", "lang", "line"), [
    ("ой не к неврологу а к кардиологу", "ru", "Хорошо, к кардиологу."),
    ("no not a neurologist a cardiologist", "en", "OK, a cardiologist."),
])
async def test_a_correction_at_the_policy_step_replaces_and_says_so(
        said: str, lang: str, line: str) -> None:
    got, d = await validate(FakeCity(), said, "policy_number", lang=lang,
                            slots={"specialty": "neurologist"})
    assert got["specialty"] == "cardiologist"
    assert line in texts(d)
    assert got["requested_slot"] == "policy_number"
    assert "failures" not in got


async def test_a_day_correction_at_the_confirmation_moves_the_offer() -> None:
    slots = {**IDENTIFIED, "date_pref": "2026-12-01", "slot_choice": "s1",
             "offered_slots": [FakeCity().slot_list[0].model_dump()]}
    got, d = await validate(FakeCity(), "no wednesday not tuesday", "confirm", lang="en",
                            slots=slots)
    assert got["date_pref"] == "2026-11-25"
    assert got["slot_choice"] is None and got["offered_slots"] is None
    assert any(t.startswith("OK, Wednesday") for t in texts(d))
    got, d = await validate(FakeCity(), "нет давайте в среду а не во вторник", "confirm",
                            slots=slots)
    assert got["date_pref"] == "2026-11-25" and "Хорошо, на среду, 25 ноября." in texts(d)


@pytest.mark.parametrize(("said", "lang", "requested", "slot"), [
    ("не к терапевту", "ru", "specialty", "specialty"),
    ("only not a therapist", "en", "specialty", "specialty"),
    ("только не во вторник", "ru", "date_pref", "date_pref"),
    ("not tuesday", "en", "date_pref", "date_pref"),
])
async def test_a_negated_value_is_never_used(said: str, lang: str, requested: str,
                                             slot: str) -> None:
    slots = {"specialty": "dentist", "policy_number": POLICY, "patient_token": "tok",
             "birth_date": "****-**-**"}
    slots.pop(slot, None)
    got, _ = await validate(FakeCity(), said, requested, lang=lang, slots=slots)
    assert got.get(slot) is None
    assert got["requested_slot"] == requested


async def test_a_negated_current_value_is_dropped() -> None:
    got, _ = await validate(FakeCity(), "нет только не к терапевту", "policy_number",
                            slots={"specialty": "therapist"})
    assert got["specialty"] is None and got["requested_slot"] == "specialty"


@pytest.mark.parametrize(("said", "lang"), [
    ("а не надо я передумал", "ru"), ("ладно забудьте", "ru"), ("forget it", "en"),
    ("never mind", "en"),
])
async def test_a_change_of_mind_ends_the_booking_politely(said: str, lang: str) -> None:
    for requested in ("specialty", "policy_number", "birth_date", "slot_choice", "confirm"):
        got, _ = await validate(FakeCity(), said, requested, lang=lang, slots=IDENTIFIED)
        assert got["requested_slot"] is None, requested
    d = CollectingDispatcher()
    events = await ActionBookingDone().run(d, tracker(normalize(said, lang), lang=lang), {})
    assert texts(d)[0].startswith(("Хорошо, не записываю", "OK, I won't book"))
    assert not [c for c in customs(d) if c.get("event") == "end_session"]
    assert slots_of(events)["task"] is None


@pytest.mark.parametrize(("said", "lang", "expected"), [
    ("не подходит", "ru", ["s4"]), ("later", "en", ["s4"]), ("пораньше", "ru", ["s1"]),
])
async def test_later_earlier_and_not_suitable_move_the_offer(said: str, lang: str,
                                                             expected: list[str]) -> None:
    city = FakeCity()
    offered = [s.model_dump() for s in city.slot_list[1:3]]  # 10:30 and 11:00
    got, _ = await validate(city, said, "slot_choice", lang=lang,
                            slots={**IDENTIFIED, "offered_slots": offered})
    assert [s["id"] for s in got["offered_slots"]] == expected
    assert got.get("slot_choice") is None


async def test_a_clock_time_is_not_an_option_number() -> None:
    city = FakeCity()
    offered = [s.model_dump() for s in city.slot_list[:3]]
    got, _ = await validate(city, "в три часа дня", "slot_choice",
                            slots={**IDENTIFIED, "offered_slots": offered})
    assert got.get("slot_choice") != "s3"
    got, _ = await validate(city, "третий", "slot_choice",
                            slots={**IDENTIFIED, "offered_slots": offered})
    assert got["slot_choice"] == "s3"


@pytest.mark.parametrize(("said", "lang", "where"), [
    ("я не знаю номер полиса", "ru", "Госуслуги"), ("не знаю", "ru", "ЕМИАС"),
    ("i don't know my policy number", "en", "Gosuslugi"),
])
async def test_dont_know_the_policy_gets_help_not_a_hang_up(said: str, lang: str,
                                                             where: str) -> None:
    got, d = await validate(FakeCity(), said, "policy_number", lang=lang,
                            slots={"specialty": "dentist"})
    assert where in texts(d)[0] and ("оператор" in texts(d)[0] or "operator" in texts(d)[0])
    assert got["requested_slot"] == "policy_number" and got["failures"] == {"policy_number": 1}
    got, d = await validate(FakeCity(), said, "policy_number", lang=lang, slots={
        "specialty": "dentist", "failures": got["failures"]})
    assert where not in " ".join(texts(d))  # said once; then the format, then an operator
    d = CollectingDispatcher()  # classified as goodbye: still no hang-up
    events = await ActionGoodbye().run(d, tracker(normalize(said, lang), "goodbye", lang=lang,
                                                  slots={"requested_slot": "policy_number"},
                                                  active_loop="booking_form"), {})
    assert where in texts(d)[0]
    assert not [c for c in customs(d) if c.get("event") == "end_session"]
    assert {"event": "followup", "timestamp": None, "name": "booking_form"} in events


@pytest.mark.parametrize(("said", "lang"), [("ты тупой", "ru"), ("you are stupid", "en")])
async def test_an_insult_gets_a_calm_reply_and_a_human(said: str, lang: str) -> None:
    d = CollectingDispatcher()
    events = await ActionGoodbye().run(d, tracker(said, "goodbye", lang=lang), {})
    assert not [c for c in customs(d) if c.get("event") == "end_session"]
    assert slots_of(events)["pending"]["kind"] == "operator"
    d = CollectingDispatcher()
    await ActionInsult().run(d, tracker(said, "insult", lang=lang, active_loop="booking_form"),
                             {})
    assert "оператор" in texts(d)[0] or "operator" in texts(d)[0]
    got, d = await validate(FakeCity(), said, "birth_date", lang=lang,
                            slots={"specialty": "dentist", "policy_number": POLICY})
    assert got["requested_slot"] == "birth_date" and "failures" not in got


async def test_repeat_in_a_form_says_the_prompt_once() -> None:
    d = CollectingDispatcher()
    last = {"texts": ["Полис 7712 3456 7890 1234.", "Назовите дату рождения."], "lang": "ru"}
    await ActionRepeat().run(d, tracker("повторите", "repeat", slots={"last_reply": last},
                                        active_loop="booking_form"), {})
    assert texts(d) == ["Полис 7712 3456 7890 1234."]  # the form asks the question itself
