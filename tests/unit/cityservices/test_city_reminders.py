"""Reminder routes on a real (SQLite) database: the visits due tomorrow, the one-time ticket,
and the outcome stored on the visit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.unit.cityservices.support import API_KEY

TOMORROW = "2025-12-02"


def _book(client: TestClient, patient: dict[str, str], specialty: str = "therapist",
          day: str = TOMORROW, pick: int = 0) -> dict[str, Any]:
    slots = client.get("/health/v1/slots", params={"specialty": specialty, "date_from": day,
                                                   "date_to": day}).json()["slots"]
    resp = client.post("/health/v1/appointments", json={"slot_id": slots[pick]["id"]},
                       headers=patient)
    assert resp.status_code == 201, resp.text
    booked: dict[str, Any] = resp.json()
    return booked


def _due(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    resp = client.get("/health/v1/reminders/due", params=params, headers=API_KEY)
    assert resp.status_code == 200, resp.text
    found: list[dict[str, Any]] = resp.json()["reminders"]
    return found


def _ticket(client: TestClient, appointment_id: int) -> str:
    resp = client.post(f"/health/v1/reminders/{appointment_id}/calls", headers=API_KEY)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["ticket"])


def test_routes_need_a_client_key(client: TestClient) -> None:
    assert client.get("/health/v1/reminders/due").status_code == 401
    assert client.post("/health/v1/reminders/redeem", json={"ticket": "x" * 32}).status_code == 401


def test_a_visit_tomorrow_is_due_with_the_patients_phone_and_language(
    client: TestClient, ivan: dict[str, str]
) -> None:
    appt = _book(client, ivan)
    later = _book(client, ivan, "dentist", "2025-12-04")
    due = {r["appointment_id"]: r for r in _due(client)}
    assert appt["id"] in due and later["id"] not in due  # the dentist visit is in three days
    found = due[appt["id"]]
    assert (found["phone"], found["lang"], found["specialty"]) == ("+74950000101", "ru",
                                                                   "therapist")
    assert (found["attempts"], found["outcome"], found["start"]) == (0, None, appt["start"])


def test_attempts_are_spaced_and_limited(client: TestClient, ivan: dict[str, str]) -> None:
    appt = _book(client, ivan)
    _ticket(client, appt["id"])
    assert appt["id"] not in [r["appointment_id"] for r in _due(client)]  # called a moment ago
    spaced = _due(client, retry_after_s=0)
    assert [r["attempts"] for r in spaced if r["appointment_id"] == appt["id"]] == [1]
    _ticket(client, appt["id"])
    assert appt["id"] not in [r["appointment_id"]
                              for r in _due(client, retry_after_s=0, max_attempts=2)]


def test_a_ticket_opens_the_visit_once(client: TestClient, ivan: dict[str, str]) -> None:
    appt = _book(client, ivan)
    ticket = _ticket(client, appt["id"])
    resp = client.post("/health/v1/reminders/redeem", json={"ticket": ticket}, headers=API_KEY)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["appointment"]["id"] == appt["id"] and body["lang"] == "ru"
    mine = client.get("/health/v1/appointments",
                      headers={**API_KEY, "Authorization": f"Bearer {body['token']}"})
    assert [a["id"] for a in mine.json()["appointments"]] == [appt["id"]]
    again = client.post("/health/v1/reminders/redeem", json={"ticket": ticket}, headers=API_KEY)
    assert again.status_code == 404
    forged = client.post("/health/v1/reminders/redeem", json={"ticket": "A" * 32},
                         headers=API_KEY)
    assert forged.status_code == 404


def test_the_outcome_is_stored_and_final_ones_are_not_called_again(
    client: TestClient, ivan: dict[str, str]
) -> None:
    appt = _book(client, ivan)
    _ticket(client, appt["id"])
    state = client.post(f"/health/v1/reminders/{appt['id']}/outcome",
                        json={"outcome": "no_answer"}, headers=API_KEY).json()
    assert (state["outcome"], state["attempts"]) == ("no_answer", 1)
    assert appt["id"] in [r["appointment_id"] for r in _due(client, retry_after_s=0)]
    state = client.post(f"/health/v1/reminders/{appt['id']}/outcome",
                        json={"outcome": "confirmed"}, headers=API_KEY).json()
    assert state["outcome"] == "confirmed"
    after = client.post(f"/health/v1/reminders/{appt['id']}/outcome",
                        json={"outcome": "answered"}, headers=API_KEY).json()
    assert after["outcome"] == "confirmed"  # a final outcome stays
    assert appt["id"] not in [r["appointment_id"] for r in _due(client, retry_after_s=0)]
    read = client.get(f"/health/v1/reminders/{appt['id']}", headers=API_KEY).json()
    assert (read["outcome"], read["attempts"], read["status"]) == ("confirmed", 1, "booked")


def test_answered_reads_the_visit_cancelled_or_moved(client: TestClient,
                                                     ivan: dict[str, str],
                                                     anna: dict[str, str]) -> None:
    cancelled = _book(client, ivan)
    assert client.delete(f"/health/v1/appointments/{cancelled['id']}",
                         headers=ivan).status_code == 200
    state = client.post(f"/health/v1/reminders/{cancelled['id']}/outcome",
                        json={"outcome": "answered"}, headers=API_KEY).json()
    assert (state["status"], state["outcome"]) == ("cancelled", "cancelled")
    moved = _book(client, anna, "surgeon")
    slots = client.get("/health/v1/slots", params={"specialty": "surgeon",
                                                   "date_from": "2025-12-05"}).json()["slots"]
    resp = client.post(f"/health/v1/appointments/{moved['id']}/reschedule",
                       json={"slot_id": slots[0]["id"]}, headers=anna)
    assert resp.status_code == 200, resp.text
    state = client.post(f"/health/v1/reminders/{moved['id']}/outcome",
                        json={"outcome": "answered"}, headers=API_KEY).json()
    assert state["outcome"] == "rescheduled"
    kept = _book(client, ivan, "dentist")
    state = client.post(f"/health/v1/reminders/{kept['id']}/outcome",
                        json={"outcome": "answered"}, headers=API_KEY).json()
    assert state["outcome"] == "no_decision"
