"""The load test's pure parts: loopback only, the callers' answers to the real catalogue lines,
the pairs that keep callers apart, the city audit's arithmetic and the result's figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actions.messages_booking import BOOKING_MESSAGES
from assistant.cli.bench.load import (
    LoadPlan,
    from_topology,
    loopback_address,
    loopback_url,
    results,
)
from assistant.cli.bench.load_audit import double_bookings, lost, untold
from assistant.cli.bench.load_script import PATIENTS, SPECIALTIES, Booking, pair


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000", "http://example.org", "http://0.0.0.0:1",
                                 "ftp://127.0.0.1/", "http://[2001:db8::1]:80"])
def test_a_target_off_this_machine_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        loopback_url(url)
    with pytest.raises(ValueError):
        LoadPlan([url], "http://127.0.0.1:1", "key")


def test_loopback_targets_are_taken() -> None:
    assert loopback_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert loopback_url("http://localhost:1") == "http://localhost:1"
    assert loopback_url("http://[::1]:80") == "http://[::1]:80"
    assert loopback_address("127.0.0.2:9092") == ("127.0.0.2", 9092)
    with pytest.raises(ValueError):
        loopback_address("192.168.1.1:9092")


def test_phone_callers_need_an_audiosocket() -> None:
    with pytest.raises(ValueError, match="AudioSocket"):
        LoadPlan(["http://127.0.0.1:1"], "http://127.0.0.1:2", "key", phone_users=2)


def test_forty_callers_hold_forty_different_pairs_four_per_specialty() -> None:
    pairs = [(p.key, s) for p, s in map(pair, range(40))]
    assert len(set(pairs)) == 40
    assert {s for _, s in pairs} == set(SPECIALTIES)
    assert sum(s == "therapist" for _, s in pairs) == len(PATIENTS)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_caller_answers_each_question_of_the_catalogue(lang: str) -> None:
    ivan = PATIENTS[0]
    said = {key: Booking(ivan, "dentist", lang).next_line(BOOKING_MESSAGES[key][lang])
            for key in ("ask_policy", "policy_format", "ask_birth", "birth_format", "ask_date",
                        "date_format", "no_slots", "offer_slots", "choice_format", "readback",
                        "confirm_format", "slot_taken", "visit_overlaps", "ask_specialty")}
    assert said["ask_policy"] == said["policy_format"]
    assert said["ask_policy"].startswith("семь семь один два" if lang == "ru" else "seven seven")
    assert said["ask_birth"] == (ivan.birth_ru if lang == "ru" else ivan.birth_en)
    assert said["readback"] == ("да" if lang == "ru" else "yes")
    assert said["offer_slots"] == ("первый" if lang == "ru" else "the first one")
    assert said["ask_specialty"] == ("стоматологу" if lang == "ru" else "dentist")
    assert all(said.values()), said


def test_the_dialogue_ends_with_the_reference_or_when_stuck() -> None:
    done = Booking(PATIENTS[1], "surgeon", "ru")
    booked = BOOKING_MESSAGES["booked"]["ru"].format(specialty="хирург", when="завтра",
                                                     clinic="№ 2", reference="A000042")
    assert done.next_line(booked) is None
    assert (done.outcome, done.reference) == ("booked", "A000042")
    stuck = Booking(PATIENTS[1], "surgeon", "en")
    assert stuck.next_line("Tell me a joke?") is None and stuck.outcome == "stuck"
    refused = Booking(PATIENTS[1], "surgeon", "en")
    line = BOOKING_MESSAGES["already_booked_specialty"]["en"].format(specialty="surgeon")
    assert refused.next_line(line) is None and refused.outcome == "already_booked"


def test_a_second_offer_gets_the_next_option_and_turns_are_bounded() -> None:
    booking = Booking(PATIENTS[2], "dentist", "ru", max_turns=3)
    booking.first_line()
    offer = BOOKING_MESSAGES["offer_slots"]["ru"]
    assert [booking.next_line(offer), booking.next_line(offer)] == ["первый", "второй"]
    assert booking.next_line(offer) is None and booking.outcome == "too_long"
    again = Booking(PATIENTS[2], "dentist", "en")
    first = again.first_line()
    assert again.retry() == first and again.said == [first, first]


def _visit(ref: str, spec: str, slot: str) -> dict[str, object]:
    return {"reference": ref, "serviceType": spec, "slot": [{"reference": f"Slot/{slot}"}]}


def test_double_bookings_per_patient_specialty_and_per_slot() -> None:
    visits = {"ivan": [_visit("A1", "dentist", "s1"), _visit("A2", "dentist", "s2")],
              "anna": [_visit("A3", "surgeon", "s3")], "maria": [_visit("A4", "surgeon", "s3")]}
    found = double_bookings(visits)
    assert found == ["ivan holds 2 active dentist visits", "Slot/s3 is held by 2 visits"]
    assert double_bookings({"ivan": [_visit("A1", "dentist", "s1")]}) == []


def test_a_told_booking_the_city_does_not_hold_is_lost_unless_cancelled_by_its_caller() -> None:
    visits = {"ivan": [_visit("A1", "dentist", "s1")]}
    told = [{"patient": "ivan", "reference": "A1", "specialty": "dentist"},
            {"patient": "ivan", "reference": "A2", "specialty": "surgeon"},
            {"patient": "ivan", "reference": "A3", "specialty": "surgeon", "cancelled": True}]
    assert lost(told, visits) == ["ivan A2 (surgeon)"]


def test_results_count_turns_per_core_and_errors_after_the_kill() -> None:
    plan = LoadPlan(["http://127.0.0.1:1"], "http://127.0.0.1:2", "key", run_time_s=10,
                    kill_pid=123, kill_after_s=5)
    samples = [["text", 1.0, 100.0, "ok"], ["text", 6.0, 300.0, "ok"], ["text", 12.0, 80.0, "ok"],
               ["text", 7.0, 50.0, "error"], ["phone", 2.0, 900.0, "ok"],
               ["text", 8.0, 10000.0, "fallback"], ["healthz", 1.0, 2.0, "ok"]]
    raw = {"samples": samples, "errors": ["text: boom"], "outcomes": {"booked": 1},
           "started_epoch": 1000.0}
    out = results(plan, raw, {"pid": 123, "after_s": 5, "done": True, "at_epoch": 1005.0}, 2)
    assert out["turns"] == 4 and out["turns_per_s"] == 0.3 and out["turns_per_s_per_core"] == 0.15
    assert out["text_turn"]["count"] == 4 and out["text_turn"]["p95_ms"] == 10000.0
    assert out["fallback_replies"] == 1 and out["kill"]["fallback_replies_after"] == 1
    assert out["with_drain_s"] == 12.0
    assert out["errors"] == {"text": 1, "phone": 0, "healthz": 0, "city": 0}
    assert out["kill"]["errors_after"]["text"] == 1 and out["kill"]["at_s"] == 5.0
    assert out["healthz_baseline"]["p50_ms"] == 2.0


def test_the_scaled_topology_names_the_targets_and_the_replica_to_kill(tmp_path: Path) -> None:
    top = {"gateway": "http://127.0.0.1:8080", "audiosocket": "tcp://127.0.0.1:9092",
           "cityservices": "http://127.0.0.1:8000",
           "rasa": [{"name": "rasa-1", "url": "http://127.0.0.1:5001", "pid": 11},
                    {"name": "rasa-2", "url": "http://127.0.0.1:5002", "pid": 12}]}
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(top))
    found = from_topology(path, 2)
    assert found == {"gateways": ["http://127.0.0.1:8080"], "city": "http://127.0.0.1:8000",
                     "audiosockets": ["127.0.0.1:9092"], "kill_pid": 12}
    with pytest.raises(ValueError, match="replica 3"):
        from_topology(path, 3)


def test_a_visit_of_a_callers_pair_that_nobody_was_told_about_is_reported() -> None:
    visits = {"ivan": [_visit("A1", "dentist", "s1"), _visit("A2", "surgeon", "s2")],
              "anna": [_visit("A3", "dentist", "s3")]}
    told = [{"patient": "ivan", "reference": "A1", "specialty": "dentist"}]
    pairs = [("ivan", "dentist"), ("ivan", "surgeon")]
    assert untold(pairs, told, visits) == ["ivan A2 (surgeon)"]
