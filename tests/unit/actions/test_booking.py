"""The booking form's validator and questions, with a fake city client."""

from __future__ import annotations

from typing import Any

from action_fakes import POLICY, FakeCity, customs, slots_of, texts, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import ValidateBookingForm
from actions.booking_ask import ActionAskSlotChoice, ActionBookingDone
from actions.vault import held_policy, held_token

IDENTIFIED = {"patient_token": "tok", "policy_number": "************1234",
              "birth_date": "****-**-**", "specialty": "dentist", "date_pref": "2026-11-26"}


async def validate(city: FakeCity, text: str, requested: str | None, intent: str = "inform",
                   slots: dict[str, Any] | None = None, channel: str = "phone",
                   lang: str = "ru") -> tuple[dict[str, Any], CollectingDispatcher]:
    d = CollectingDispatcher()
    all_slots = {**(slots or {}), "requested_slot": requested}
    events = await ValidateBookingForm(lambda: city).run(
        d, tracker(text, intent, lang=lang, slots=all_slots, channel=channel,
                   active_loop="booking_form"), {})
    return slots_of(events), d


async def test_activation_takes_specialty_and_date() -> None:
    got, _ = await validate(FakeCity(), "запишите к лору на завтра", None, "book_appointment")
    assert got["specialty"] == "otolaryngologist"
    assert got["date_pref"]
    assert got["requested_slot"] == "policy_number"


async def test_policy_read_back_in_groups_on_phone() -> None:
    got, d = await validate(FakeCity(), POLICY, "policy_number", slots={"specialty": "dentist"})
    assert held_policy(got["policy_number"]) == POLICY  # sealed: the tracker holds ciphertext
    assert POLICY not in got["policy_number"]
    assert "7712 3456 7890 1234" in texts(d)[0]
    assert got["requested_slot"] == "birth_date"


async def test_kiosk_reads_only_last_four() -> None:
    _, d = await validate(FakeCity(), POLICY, "policy_number", channel="kiosk",
                          slots={"specialty": "dentist"})
    assert "7712" not in texts(d)[0] and "1 2 3 4" in texts(d)[0]
    assert customs(d)[0]["event"] == "display"


async def test_last_four_correction() -> None:
    slots = {"specialty": "dentist", "policy_number": "7712345678901235"}
    got, _ = await validate(FakeCity(), "нет последние 4 1234", "birth_date", slots=slots)
    assert held_policy(got["policy_number"]) == POLICY
    assert got["requested_slot"] == "birth_date"


async def test_birth_date_identifies_and_masks() -> None:
    slots = {"specialty": "dentist", "policy_number": POLICY}
    got, d = await validate(FakeCity(), "14 марта 1985", "birth_date", slots=slots)
    assert held_token(got["patient_token"]) == "tok" and "tok" not in got["patient_token"]
    assert got["policy_number"] == "************1234"
    assert "Иван Петров" in texts(d)[0]
    assert got["requested_slot"] == "date_pref"


async def test_unknown_patient_asks_again() -> None:
    slots = {"specialty": "dentist", "policy_number": POLICY}
    got, _ = await validate(FakeCity(), "1 января 1990", "birth_date", slots=slots)
    assert got["policy_number"] is None
    assert got["requested_slot"] == "policy_number"


async def test_bad_answers_are_counted_and_third_ends_with_operator() -> None:
    failures: dict[str, int] = {}
    for n in (1, 2, 3):
        got, _ = await validate(FakeCity(), "ну это самое", "policy_number",
                                slots={"specialty": "dentist", "failures": failures})
        failures = got["failures"]
        assert failures["policy_number"] == n
    assert got["requested_slot"] is None
    d = CollectingDispatcher()
    t = tracker("не знаю", slots={"failures": failures})
    events = await ActionBookingDone().run(d, t, {})
    assert "оператор" in texts(d)[0]
    assert slots_of(events)["pending"]["kind"] == "operator"


async def test_digression_is_rejected_so_rules_answer() -> None:
    d = CollectingDispatcher()
    events = await ValidateBookingForm(lambda: FakeCity()).run(
        d, tracker("баланс тройки", "troika_balance",
                   slots={"requested_slot": "policy_number"}), {})
    assert events == []


async def test_offers_three_nearest_then_choice_by_time_and_ordinal() -> None:
    city = FakeCity()
    d = CollectingDispatcher()
    events = await ActionAskSlotChoice(lambda: city).run(d, tracker("завтра", slots=IDENTIFIED), {})
    offered = slots_of(events)["offered_slots"]
    assert [s["id"] for s in offered] == ["s1", "s2", "s3"]
    assert customs(d)[0]["slot"] == "slot_choice"
    slots = {**IDENTIFIED, "offered_slots": offered}
    got, _ = await validate(city, "в 10 30", "slot_choice", slots=slots)
    assert got["slot_choice"] == "s2"
    got, _ = await validate(city, "3", "slot_choice", slots=slots)
    assert got["slot_choice"] == "s3"
    got, _ = await validate(city, "позже", "slot_choice", slots=slots)
    assert [s["id"] for s in got["offered_slots"]] == ["s4"]
    got, _ = await validate(city, "другой день", "slot_choice", slots=slots)
    assert got["date_pref"] is None and got["requested_slot"] == "date_pref"


async def test_a_time_that_was_not_offered() -> None:
    city = FakeCity()
    offered = [s.model_dump() for s in city.slot_list[:2]]  # 09:00 and 10:30
    slots = {**IDENTIFIED, "offered_slots": offered}
    got, _ = await validate(city, "в 12 00", "slot_choice", slots=slots)  # free: taken at once
    assert got["slot_choice"] == "s4" and [s["id"] for s in got["offered_slots"]] == ["s4"]
    got, d = await validate(city, "at 10 45", "slot_choice", slots=slots, lang="en")
    assert "slot_choice" not in got or got["slot_choice"] is None  # not free: the nearest after
    assert texts(d) == ["10:45 is not free. Here are the nearest times after it."]
    assert [s["id"] for s in got["offered_slots"]] == ["s3", "s4"]
    got, _ = await validate(city, "в 18 00", "slot_choice", slots=slots)  # nothing after it
    assert "offered_slots" not in got and got["failures"]["slot_choice"] == 1  # asked again


async def test_books_only_after_yes_and_gives_reference() -> None:
    city = FakeCity()
    offered = [s.model_dump() for s in city.slot_list[:3]]
    slots = {**IDENTIFIED, "offered_slots": offered, "slot_choice": "s2"}
    got, _ = await validate(city, "нет", "confirm", "deny", slots=slots)
    assert city.booked == [] and got["slot_choice"] is None
    got, d = await validate(city, "да", "confirm", "affirm", slots=slots, lang="en")
    assert city.booked == ["s2"]
    assert got["booking_ref"] == "A000007" and got["requested_slot"] is None
    assert "A000007" in texts(d)[0] and texts(d)[0].startswith("Done")


async def test_slot_taken_offers_next() -> None:
    city = FakeCity(taken={"s2"})
    offered = [s.model_dump() for s in city.slot_list[:3]]
    slots = {**IDENTIFIED, "offered_slots": offered, "slot_choice": "s2"}
    got, d = await validate(city, "да", "confirm", "affirm", slots=slots)
    assert "заняли" in texts(d)[0]
    assert [s["id"] for s in got["offered_slots"]] == ["s4"]
    assert got["requested_slot"] == "slot_choice"


async def test_backend_down_during_offer_keeps_form() -> None:
    d = CollectingDispatcher()
    events = await ActionAskSlotChoice(lambda: FakeCity(down=True)).run(
        d, tracker("завтра", slots=IDENTIFIED), {})
    assert "не отвечает" in texts(d)[0]
    assert slots_of(events)["pending"]["kind"] == "retry"
