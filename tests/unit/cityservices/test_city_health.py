"""Health API: identification, slot search, booking, cancelling, rescheduling."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.unit.cityservices.support import ANNA, API_KEY, IVAN, identify

SLOTS = "/health/v1/slots"
APPTS = "/health/v1/appointments"


def first_slot(client: TestClient, **params: str) -> dict:
    resp = client.get(SLOTS, params={"specialty": "therapist", "limit": "1", **params})
    assert resp.status_code == 200, resp.text
    return resp.json()["slots"][0]


def test_specialties_have_canonical_codes(client: TestClient) -> None:
    codes = {s["code"] for s in client.get("/health/v1/specialties").json()}
    assert codes == {
        "therapist",
        "pediatrician",
        "dentist",
        "ophthalmologist",
        "otolaryngologist",
        "surgeon",
        "cardiologist",
        "neurologist",
        "dermatologist",
        "gynecologist",
    }


def test_identify_fixed_patients(client: TestClient) -> None:
    for who, ru, en, district in (
        (IVAN, "Иван Петров", "Ivan Petrov", "Tverskoy"),
        (ANNA, "Анна Смирнова", "Anna Smirnova", "Arbat"),
    ):
        body = client.post("/health/v1/patients/identify", json=who, headers=API_KEY).json()
        assert body["token"] and body["expires_at"]
        assert body["patient"]["name_ru"] == ru
        assert body["patient"]["name_en"] == en
        assert body["patient"]["district"] == district


def test_identify_errors(client: TestClient) -> None:
    url = "/health/v1/patients/identify"
    wrong_date = {**IVAN, "birth_date": "1985-03-15"}
    assert client.post(url, json=wrong_date, headers=API_KEY).status_code == 404
    unknown = {**IVAN, "policy_number": "7700000000009999"}
    assert client.post(url, json=unknown, headers=API_KEY).json()["error"]["code"] == (
        "patient-not-found"
    )
    bad_values = [
        ("policy_number", "123"),
        ("birth_date", "14.03.1985"),
        ("birth_date", "1985-02-30"),
        ("birth_date", 19850314),
    ]
    for field, value in bad_values:
        bad = {**IVAN, field: value}
        resp = client.post(url, json=bad, headers=API_KEY)
        assert resp.status_code == 422, bad
        assert resp.json()["error"]["code"] == "validation-error"
    assert client.post(url, json=IVAN).json()["error"]["code"] == "api-key-missing"


def test_identify_rate_limited_per_policy(client: TestClient) -> None:
    url = "/health/v1/patients/identify"
    wrong = {**IVAN, "birth_date": "2000-01-01"}
    codes = [client.post(url, json=wrong, headers=API_KEY).status_code for _ in range(6)]
    assert codes == [404] * 5 + [429]
    resp = client.post(url, json=IVAN, headers=API_KEY)  # even the right date waits now
    assert resp.status_code == 429
    assert resp.json()["error"]["code"] == "too-many-attempts"
    assert int(resp.headers["Retry-After"]) > 0
    assert client.post(url, json=ANNA, headers=API_KEY).status_code == 200  # other policy ok


def test_identify_rate_limited_per_client(client: TestClient) -> None:
    url = "/health/v1/patients/identify"
    codes = []
    for i in range(21):
        policy = f"77000000000{i:05d}"
        body = {"policy_number": policy, "birth_date": "2000-01-01"}
        codes.append(client.post(url, json=body, headers=API_KEY).status_code)
    assert codes == [404] * 20 + [429]
    assert client.post(url, json=ANNA, headers=API_KEY).status_code == 429


def test_slots_ordered_free_and_filtered(client: TestClient) -> None:
    slots = client.get(SLOTS, params={"specialty": "dentist", "limit": 50}).json()["slots"]
    assert len(slots) == 50
    assert [s["start"] for s in slots] == sorted(s["start"] for s in slots)
    assert all(s["status"] == "free" and s["specialty"] == "dentist" for s in slots)
    assert slots[0]["resourceType"] == "Slot" and {"clinic", "practitioner"} <= slots[0].keys()
    for district in ("Arbat", "арбат", "в районе Арбат"):
        found = client.get(SLOTS, params={"specialty": "dentist", "district": district}).json()
        assert found["slots"] and all(s["clinic"]["district"] == "Arbat" for s in found["slots"])
    tver = client.get(SLOTS, params={"specialty": "therapist", "district": "Тверском"}).json()
    assert {s["clinic"]["district"] for s in tver["slots"]} == {"Tverskoy"}
    one = client.get(SLOTS, params={"specialty": "dentist", "clinic_id": "c03"}).json()
    assert {s["clinic"]["id"] for s in one["slots"]} == {"c03"}


def test_slots_date_range(client: TestClient) -> None:
    params = {"specialty": "surgeon", "date_from": "2025-12-03", "date_to": "2025-12-03"}
    slots = client.get(SLOTS, params={**params, "limit": 200}).json()["slots"]
    assert slots and all(s["start"].startswith("2025-12-03") for s in slots)
    bad = client.get(SLOTS, params={**params, "date_to": "2025-12-01"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid-date-range"
    assert client.get(SLOTS, params={**params, "date_from": "03.12.2025"}).status_code == 422
    assert client.get(SLOTS, params={"specialty": "astrologer"}).status_code == 422


def test_book_then_conflict_with_alternatives(client: TestClient, ivan: dict, anna: dict) -> None:
    slot = first_slot(client)
    resp = client.post(APPTS, json={"slot_id": slot["id"]}, headers=ivan)
    assert resp.status_code == 201, resp.text
    appt = resp.json()
    assert appt["resourceType"] == "Appointment" and appt["status"] == "booked"
    assert appt["slot"] == [{"reference": f"Slot/{slot['id']}"}]
    assert appt["serviceType"] == "therapist" and appt["start"] == slot["start"]
    again = client.post(APPTS, json={"slot_id": slot["id"]}, headers=anna)
    assert again.status_code == 409
    err = again.json()["error"]
    assert err["code"] == "slot-taken" and err["alternatives"]
    assert all(a["status"] == "free" and a["specialty"] == "therapist" for a in err["alternatives"])
    assert slot["id"] not in {a["id"] for a in first_slot_list(client)}


def first_slot_list(client: TestClient) -> list[dict]:
    return client.get(SLOTS, params={"specialty": "therapist", "limit": 5}).json()["slots"]


def test_book_errors(client: TestClient, ivan: dict) -> None:
    assert client.post(APPTS, json={"slot_id": "nope"}, headers=ivan).status_code == 404
    past = "c01-ther-20251201-0700"  # before NOW (07:30) or not a slot at all
    assert client.post(APPTS, json={"slot_id": past}, headers=ivan).status_code in (404, 409)
    no_token = client.post(APPTS, json={"slot_id": "x"}, headers=API_KEY)
    assert no_token.status_code == 401 and no_token.json()["error"]["code"] == "token-missing"
    bad_token = {**API_KEY, "Authorization": "Bearer forged"}
    assert client.post(APPTS, json={"slot_id": "x"}, headers=bad_token).status_code == 401
    no_key = {"Authorization": ivan["Authorization"]}
    resp = client.post(APPTS, json={"slot_id": "x"}, headers=no_key)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "api-key-missing"
    wrong_key = {**ivan, "X-API-Key": "guess"}
    assert client.post(APPTS, json={"slot_id": "x"}, headers=wrong_key).status_code == 401


def test_slot_in_past_cannot_be_booked(client: TestClient, ivan: dict) -> None:
    from cityservices.deps import get_now
    from tests.unit.cityservices.support import NOW

    slot = first_slot(client)
    client.app.dependency_overrides[get_now] = lambda: NOW.replace(year=2026)  # type: ignore[attr-defined]
    later = {**API_KEY, "Authorization": identify(client)["Authorization"]}
    resp = client.post(APPTS, json={"slot_id": slot["id"]}, headers=later)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "slot-in-past"


def test_list_cancel_and_free_again(client: TestClient, ivan: dict) -> None:
    slot = first_slot(client)
    appt = client.post(APPTS, json={"slot_id": slot["id"]}, headers=ivan).json()
    listed = client.get(APPTS, headers=ivan).json()["appointments"]
    assert [a["id"] for a in listed] == [appt["id"]]
    resp = client.delete(f"{APPTS}/{appt['id']}", headers=ivan)
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
    assert client.get(APPTS, headers=ivan).json()["appointments"] == []
    assert first_slot(client)["id"] == slot["id"]  # free again
    again = client.delete(f"{APPTS}/{appt['id']}", headers=ivan)
    assert again.status_code == 409
    assert client.delete(f"{APPTS}/999999", headers=ivan).status_code == 404
    assert client.delete(f"{APPTS}/abc", headers=ivan).status_code == 422


def test_other_patients_appointment_is_not_found(
    client: TestClient, ivan: dict, anna: dict
) -> None:
    annas = client.get(APPTS, headers=anna).json()["appointments"]
    assert len(annas) == 1 and annas[0]["serviceType"] == "dentist"  # seeded demo visit
    assert client.delete(f"{APPTS}/{annas[0]['id']}", headers=ivan).status_code == 404


def test_reschedule_moves_and_releases(client: TestClient, ivan: dict) -> None:
    a, b = first_slot_list(client)[:2]
    appt = client.post(APPTS, json={"slot_id": a["id"]}, headers=ivan).json()
    resp = client.post(f"{APPTS}/{appt['id']}/reschedule", json={"slot_id": b["id"]}, headers=ivan)
    assert resp.status_code == 200, resp.text
    new = resp.json()
    assert new["slot"] == [{"reference": f"Slot/{b['id']}"}] and new["id"] != appt["id"]
    ids = [x["id"] for x in client.get(APPTS, headers=ivan).json()["appointments"]]
    assert ids == [new["id"]]
    assert first_slot(client)["id"] == a["id"]  # old slot released


def test_reschedule_to_taken_slot_keeps_old(client: TestClient, ivan: dict, anna: dict) -> None:
    a, b = first_slot_list(client)[:2]
    appt = client.post(APPTS, json={"slot_id": a["id"]}, headers=ivan).json()
    client.post(APPTS, json={"slot_id": b["id"]}, headers=anna)
    resp = client.post(f"{APPTS}/{appt['id']}/reschedule", json={"slot_id": b["id"]}, headers=ivan)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "slot-taken"
    assert a["id"] not in {x["id"] for x in resp.json()["error"]["alternatives"]}
    listed = client.get(APPTS, headers=ivan).json()["appointments"]
    assert [x["id"] for x in listed] == [appt["id"]] and listed[0]["status"] == "booked"


def test_logs_never_hold_raw_policy_numbers(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = "/health/v1/patients/identify"
    client.post(url, json={**IVAN, "birth_date": "1999-01-01"}, headers=API_KEY)
    headers = identify(client)
    client.post(APPTS, json={"slot_id": first_slot(client)["id"]}, headers=headers)
    assert "************1234" in caplog.text
    for secret in ("7712345678901234", "1985-03-14", "1999-01-01"):
        assert secret not in caplog.text
