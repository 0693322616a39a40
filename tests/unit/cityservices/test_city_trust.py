"""Issue 11 (trust) and issue 10 item 7 (EMIAS rules) on the city API: idempotent mutations with
a deadline, one active visit per specialty and no overlaps, identification limits that cannot
lock out the real patient, and a database that is never silently replaced."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityservices.app import create_app
from cityservices.db import create_db_engine
from cityservices.dbguard import DatabaseGone, ensure_database, marker
from cityservices.deps import get_now
from cityservices.models import Appointment
from cityservices.seed import NotEmpty, prepare
from cityservices.services.callers import sign
from cityservices.settings import CitySettings
from tests.unit.cityservices.support import ANNA, API_KEY, IVAN, MSK, NOW, TODAY, identify

SLOTS, APPTS = "/health/v1/slots", "/health/v1/appointments"
IDENTIFY = "/health/v1/patients/identify"
SECRET = "test-caller-secret"


def slots(client: TestClient, specialty: str = "therapist", n: int = 5) -> list[dict]:
    return client.get(SLOTS, params={"specialty": specialty, "limit": n}).json()["slots"]


def key(n: int) -> dict[str, str]:
    return {"Idempotency-Key": f"test-key-{n:04d}"}


# --- A: idempotency keys and the client's deadline ------------------------------------------
def test_a_retry_with_the_same_key_returns_the_same_booking(
    client: TestClient, ivan: dict
) -> None:
    slot = slots(client)[0]
    first = client.post(APPTS, json={"slot_id": slot["id"]}, headers={**ivan, **key(1)})
    again = client.post(APPTS, json={"slot_id": slot["id"]}, headers={**ivan, **key(1)})
    assert first.status_code == 201 and again.status_code == 201, again.text
    assert again.json()["reference"] == first.json()["reference"]
    assert len(client.get(APPTS, headers=ivan).json()["appointments"]) == 1


def test_a_a_key_reused_for_another_request_is_refused(client: TestClient, ivan: dict) -> None:
    a, b = slots(client)[:2]
    assert client.post(APPTS, json={"slot_id": a["id"]}, headers={**ivan, **key(2)}).is_success
    other = client.post(APPTS, json={"slot_id": b["id"]}, headers={**ivan, **key(2)})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency-key-reused"
    bad = client.post(APPTS, json={"slot_id": b["id"]},
                      headers={**ivan, "Idempotency-Key": "no spaces allowed"})
    assert bad.status_code == 422


def test_a_cancel_and_reschedule_replay_their_result(client: TestClient, ivan: dict) -> None:
    a, b = slots(client)[:2]
    appt = client.post(APPTS, json={"slot_id": a["id"]}, headers=ivan).json()
    url = f"{APPTS}/{appt['id']}/reschedule"
    moved = client.post(url, json={"slot_id": b["id"]}, headers={**ivan, **key(3)})
    moved_again = client.post(url, json={"slot_id": b["id"]}, headers={**ivan, **key(3)})
    assert moved.status_code == moved_again.status_code == 200, moved_again.text
    assert moved.json()["id"] == moved_again.json()["id"]
    gone = client.delete(f"{APPTS}/{moved.json()['id']}", headers={**ivan, **key(4)})
    gone_again = client.delete(f"{APPTS}/{moved.json()['id']}", headers={**ivan, **key(4)})
    assert gone.status_code == gone_again.status_code == 200
    assert gone_again.json()["status"] == "cancelled"


def test_a_nothing_is_committed_after_the_clients_deadline(
    client: TestClient, ivan: dict
) -> None:
    slot = slots(client)[0]
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    late = client.post(APPTS, json={"slot_id": slot["id"]},
                       headers={**ivan, **key(5), "X-Request-Deadline": past})
    assert late.status_code == 503 and late.json()["error"]["code"] == "deadline-exceeded"
    assert client.get(APPTS, headers=ivan).json()["appointments"] == []
    assert slots(client)[0]["id"] == slot["id"]  # still free
    future = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
    ok = client.post(APPTS, json={"slot_id": slot["id"]},
                     headers={**ivan, **key(5), "X-Request-Deadline": future})
    assert ok.status_code == 201


# --- B: EMIAS rules -------------------------------------------------------------------------
def test_b_one_active_visit_per_specialty(client: TestClient, ivan: dict) -> None:
    a, b = slots(client)[:2]
    first = client.post(APPTS, json={"slot_id": a["id"]}, headers=ivan).json()
    second = client.post(APPTS, json={"slot_id": b["id"]}, headers=ivan)
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "specialty-already-booked"
    assert error["existing_appointment_id"] == first["id"]
    moved = client.post(f"{APPTS}/{first['id']}/reschedule", json={"slot_id": b["id"]},
                        headers=ivan)
    assert moved.status_code == 200  # rescheduling the one visit is the way
    client.delete(f"{APPTS}/{moved.json()['id']}", headers=ivan)
    assert client.post(APPTS, json={"slot_id": a["id"]}, headers=ivan).status_code == 201


def test_b_two_visits_never_overlap(client: TestClient, ivan: dict) -> None:
    therapist = slots(client, "therapist", 40)
    dentist = {s["start"]: s for s in slots(client, "dentist", 200)}
    same = next(t for t in therapist if t["start"] in dentist)
    booked = client.post(APPTS, json={"slot_id": same["id"]}, headers=ivan).json()
    clash = client.post(APPTS, json={"slot_id": dentist[same["start"]]["id"]}, headers=ivan)
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "visit-overlaps"
    assert clash.json()["error"]["existing_appointment_id"] == booked["id"]


def test_b_a_visit_in_the_past_cannot_be_booked(client: TestClient, app: FastAPI) -> None:
    slot = slots(client)[0]
    app.dependency_overrides[get_now] = lambda: NOW + timedelta(days=30)
    later = identify(client, IVAN)
    resp = client.post(APPTS, json={"slot_id": slot["id"]}, headers=later)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "slot-in-past"


def test_b_the_partial_unique_index_is_the_backstop(settings: CitySettings,
                                                    client: TestClient, ivan: dict) -> None:
    a, b = slots(client)[:2]
    client.post(APPTS, json={"slot_id": a["id"]}, headers=ivan)
    engine = create_db_engine(settings)
    with Session(engine) as session, pytest.raises(IntegrityError):
        session.add(Appointment(patient_id="pat-0001", slot_id=b["id"],
                                specialty_code="therapist", status="booked",
                                created_at=NOW, updated_at=NOW))
        session.commit()
    engine.dispose()


# --- C: identification limits per caller and policy -------------------------------------------
@pytest.fixture
def signed_app(settings: CitySettings) -> FastAPI:
    app = create_app(settings.model_copy(update={"caller_secret": SECRET,
                                                 "identify_policy_delay_s": 0.05}))
    app.dependency_overrides[get_now] = lambda: NOW
    return app


@pytest.fixture
def signed(signed_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(signed_app) as test_client:
        yield test_client


def caller(name: str) -> dict[str, str]:
    return {**API_KEY, "X-Caller": sign(SECRET, f"conv-{name}")}


def test_c_others_failures_never_block_the_real_patients_right_answer(
    signed: TestClient,
) -> None:
    """Issue 11 finding 2: 21 bogus identifications from other callers and 5 wrong dates on a
    known policy; then the real patient, in their own conversation, is identified."""
    for i in range(21):
        body = {"policy_number": f"77000000000{i:05d}", "birth_date": "2000-01-01"}
        assert signed.post(IDENTIFY, json=body, headers=caller(f"bot-{i}")).status_code == 404
    for i in range(5):
        wrong = {**IVAN, "birth_date": f"2000-01-0{i + 1}"}
        assert signed.post(IDENTIFY, json=wrong, headers=caller("attacker")).status_code == 404
    right = signed.post(IDENTIFY, json=IVAN, headers=caller("ivan"))
    assert right.status_code == 200, right.text
    assert signed.post(IDENTIFY, json=ANNA, headers=caller("anna")).status_code == 200


def test_c_a_callers_own_failures_back_off_for_that_caller_only(signed: TestClient) -> None:
    wrong = {**IVAN, "birth_date": "2000-01-01"}
    codes = [signed.post(IDENTIFY, json=wrong, headers=caller("caller-x")).status_code
             for _ in range(6)]
    assert codes == [404] * 5 + [429]
    limited = signed.post(IDENTIFY, json=IVAN, headers=caller("caller-x"))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) <= 31
    assert signed.post(IDENTIFY, json=IVAN, headers=caller("caller-y")).status_code == 200


def test_c_an_unsigned_or_forged_caller_header_is_ignored(signed: TestClient) -> None:
    """A forged X-Caller does not make a fresh caller: all such requests count as one, the
    client address; so does a header signed with another secret."""
    wrong = {**IVAN, "birth_date": "2000-01-01"}
    forged = [{**API_KEY, "X-Caller": f"conv-forged{i}.{'0' * 64}"} for i in range(3)]
    forged += [{**API_KEY, "X-Caller": sign("other-secret", f"conv-{i}")} for i in range(2)]
    forged += [{**API_KEY, "X-Caller": "conv-plain"}]
    codes = [signed.post(IDENTIFY, json=wrong, headers=h).status_code for h in forged]
    assert codes == [404] * 5 + [429]
    assert signed.post(IDENTIFY, json=IVAN, headers=caller("ivan")).status_code == 200


def test_c_forwarded_for_is_trusted_only_from_configured_proxies() -> None:
    from cityservices.settings import CitySettings as Fresh

    assert Fresh().forwarded_allow_ips == "127.0.0.1"  # uvicorn gets it (cli.serve)


# --- E: the database is never silently replaced -----------------------------------------------
def test_e_a_removed_database_fails_loudly_and_is_not_recreated(
    settings: CitySettings, client: TestClient, ivan: dict
) -> None:
    db = Path(settings.var_dir) / "city.db"
    assert client.get("/healthz").status_code == 200
    slot = slots(client)[0]
    os.remove(db)
    for sidecar in (db.with_name("city.db-wal"), db.with_name("city.db-shm")):
        sidecar.unlink(missing_ok=True)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["error"]["code"] == "database-missing"
    write = client.post(APPTS, json={"slot_id": slot["id"]}, headers=ivan)
    assert write.status_code == 503 and "removed" in write.json()["error"]["message"]
    read = client.get(SLOTS, params={"specialty": "therapist"})
    assert read.status_code == 503
    assert client.post(IDENTIFY, json=ANNA, headers=API_KEY).status_code == 503
    assert not db.exists()  # no new, empty database under the running connections


def test_e_a_restart_without_the_database_refuses_to_start(settings: CitySettings) -> None:
    db = Path(settings.var_dir) / "city.db"
    ensure_database(settings)  # the database was there (the marker says so)
    os.remove(db)
    app = create_app(settings)
    with pytest.raises(DatabaseGone, match="seed --reset"), TestClient(app):
        pass
    assert not db.exists()
    ensure_database(settings, allow_create=True)  # what `cityservices seed --reset` does
    assert db.exists() and marker(db).exists()


def test_e_demo_data_is_never_seeded_over_existing_rows(settings: CitySettings) -> None:
    engine = create_db_engine(settings)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM seed_info")  # rows remain, the seed record is gone
    with pytest.raises(NotEmpty):
        prepare(engine, TODAY, MSK)
    assert prepare(engine, TODAY, MSK, reset=True) == "seeded"
    engine.dispose()


def test_e_healthz_reads_real_tables(settings: CitySettings, client: TestClient) -> None:
    engine = create_db_engine(settings)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM seed_info")
    engine.dispose()
    resp = client.get("/healthz")
    assert resp.status_code == 503 and resp.json()["error"]["code"] == "database-empty"
