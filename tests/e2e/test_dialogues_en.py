"""English dialogues through POST /v1/text on the stack `assistant up` runs, Vosk-style text."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.stack import (
    RunningStack,
    Script,
    appointments,
    events_of,
    only_appointment,
    patient_token,
    run_script,
    without_visits,
)

pytestmark = [pytest.mark.stack, pytest.mark.rasa]

IVAN = ("seven seven one two three four five six seven eight nine zero one two three four",
        "march fourteenth nineteen eighty five")
ANNA = ("seven seven nine eight seven six five four three two one zero nine eight seven six",
        "november second nineteen ninety two")


def test_kiosk_booking_is_really_booked(stack: RunningStack) -> None:
    without_visits(stack, "7712345678901234", "1985-03-14")
    bodies = run_script(stack, Script("en-book", "en", (
        ("i need to see a dentist", ("policy",)),
        (IVAN[0], ("1 2 3 4",)),
        (IVAN[1], ("Ivan Petrov",)),
        ("the day after tomorrow", ("free at",)),
        ("the second one", ("confirm",)),
        ("yes", ("Reference",)),
    ), channel="kiosk"))
    said = bodies[0]["replies"][0]["text"] + bodies[1]["replies"][0]["text"]
    assert "7712" not in said  # a kiosk reads back only the last four digits
    reference = bodies[-1]["replies"][-1]["text"].split("Reference")[1].strip(" .")
    token = patient_token(stack, "7712345678901234", "1985-03-14")
    assert any(a["reference"] == reference and a["serviceType"] == "dentist"
               for a in appointments(stack, token))


def test_cancel_really_cancels(stack: RunningStack) -> None:
    token = patient_token(stack, "7798765432109876", "1992-11-02")
    booked = only_appointment(stack, token, "cardiologist")
    run_script(stack, Script("en-cancel", "en", (
        ("please cancel my doctor appointment", ("policy",)),
        (ANNA[0], ("Policy 7798 7654 3210 9876", "date of birth")),
        (ANNA[1], ("Cancel the appointment",)),
        ("yes", ("cancelled",)),
    )))
    assert booked["id"] not in {a["id"] for a in appointments(stack, token)}


def test_reschedule_really_moves(stack: RunningStack) -> None:
    token = patient_token(stack, "7798765432109876", "1992-11-02")
    booked = only_appointment(stack, token, "neurologist")
    run_script(stack, Script("en-reschedule", "en", (
        ("i want to reschedule my appointment", ("policy",)),
        (ANNA[0], ("Policy 7798 7654 3210 9876", "date of birth")),
        (ANNA[1], ("Anna Smirnova", "For which day")),
        ("tomorrow", ("free at",)),
        ("the first one", ("confirm",)),
        ("yes", ("moved",)),
    )))
    now = appointments(stack, token)
    assert len(now) == 1 and now[0]["id"] != booked["id"]


def test_list_names_the_appointment(stack: RunningStack) -> None:
    token = patient_token(stack, "7798765432109876", "1992-11-02")
    only_appointment(stack, token, "surgeon")
    run_script(stack, Script("en-list", "en", (
        ("what appointments do i have", ("policy",)),
        (ANNA[0], ("Policy 7798 7654 3210 9876", "date of birth")),
        (ANNA[1], ("Your appointments", "urgeon")),
    )))


def test_troika_balance_matches_the_card(stack: RunningStack) -> None:
    card = stack.city("GET", "/troika/v1/cards/0123456789")
    run_script(stack, Script("en-troika", "en", (
        ("check my troika card zero one two three four five six seven eight nine",
         (f"{card['balance_rub']:g}",)),
    )))


def test_kindergarten_position_matches(stack: RunningStack) -> None:
    app = stack.city("POST", "/kindergarten/v1/applications/4455123",
                     json={"child_birth_date": "2021-06-01"})
    run_script(stack, Script("en-kindergarten", "en", (
        ("kindergarten queue position", ("application number",)),
        ("four four five five one two three", ("child's date of birth",)),
        ("june first twenty twenty one", (str(app["position"]),)),
    )))
    run_script(stack, Script("en-kindergarten-offer", "en", (
        ("kindergarten application status", ("application number",)),
        ("four four five five nine nine nine", ("child's date of birth",)),
        ("february fifteenth twenty twenty two", ("place offered", "Kindergarten No. 2077")),
    )))


def test_transport_arrivals_for_a_route(stack: RunningStack) -> None:
    run_script(stack, Script("en-transit", "en", (
        ("when is tram three at pushkin square", ("tram 3",)),
    )))


def test_traffic_level_matches_the_road(stack: RunningStack) -> None:
    road = stack.city("GET", "/traffic/v1/roads", params={"q": "garden"})["roads"][0]
    run_script(stack, Script("en-traffic", "en", (
        ("is there traffic on the garden ring", (f"level {road['level']} of 10",)),
    )))


def test_wifi_names_the_nearest_hotspot(stack: RunningStack) -> None:
    nearest = stack.city("GET", "/wifi/v1/hotspots/nearest",
                                 params={"lat": 55.7655, "lon": 37.6050, "limit": 1})
    run_script(stack, Script("en-wifi", "en", (
        ("where is free wifi", (nearest["hotspots"][0]["name_en"],)),
    )))


def test_report_problem_creates_an_open311_request(stack: RunningStack) -> None:
    bodies = run_script(stack, Script("en-report", "en", (
        ("i want to report a problem", ("What is the problem",)),
        ("a broken street light", ("Where",)),
        ("tverskaya street house seven", ("Describe",)),
        ("the lamp has been dark for a week", ("filed",)),
    )))
    said = bodies[-1]["replies"][-1]["text"]
    number = re.sub(r"\D", "", said.split("number", 1)[1].split(".")[0])
    request = stack.city("GET", f"/open311/v2/requests/{number}.json")[0]
    assert request["status"] == "open"


def test_request_status_matches(stack: RunningStack) -> None:
    request = stack.city("GET", "/open311/v2/requests/1002.json")[0]
    run_script(stack, Script("en-status", "en", (
        ("status of request one thousand two", ("1002", request["status"])),
    )))


def test_spoken_switch_to_russian_sticks(stack: RunningStack) -> None:
    bodies = run_script(stack, Script("en-switch", "en", (
        ("hello", ("Hello",)),
        ("speak russian please", ("по-русски",)),
        ("what can you do", ("Тройк",)),
    )))
    assert {"type": "language", "lang": "ru"} in events_of(bodies, "language")


def test_handoff_and_out_of_scope(stack: RunningStack) -> None:
    bodies = run_script(stack, Script("en-handoff", "en", (
        ("tell me a joke", ("can't help",)),
        ("let me talk to a human", ("operator",)),
    )))
    assert events_of(bodies, "handoff")
