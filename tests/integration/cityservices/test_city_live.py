"""The real server (uvicorn subprocess) on SQLite and on PostgreSQL: atomic booking under
concurrency, fixed records, and a fuzz pass over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.integration.cityservices.conftest import CityServer

KEY = {"X-API-Key": "demo-city-key"}
IVAN = {"policy_number": "7712345678901234", "birth_date": "1985-03-14"}
ANNA = {"policy_number": "7798765432109876", "birth_date": "1992-11-02"}
SERGEI = {"policy_number": "7700000000000017", "birth_date": "1978-06-30"}


def auth(base: str, who: dict[str, str]) -> dict[str, str]:
    resp = httpx.post(f"{base}/health/v1/patients/identify", json=who, headers=KEY)
    assert resp.status_code == 200, resp.text
    return {**KEY, "Authorization": f"Bearer {resp.json()['token']}"}


def free_slots(base: str, specialty: str, n: int) -> list[dict[str, Any]]:
    resp = httpx.get(f"{base}/health/v1/slots", params={"specialty": specialty, "limit": n})
    slots: list[dict[str, Any]] = resp.json()["slots"]
    assert len(slots) == n
    return slots


async def _fire(base: str, requests: list[tuple[str, dict[str, Any], dict[str, str]]]) -> list[Any]:
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        return await asyncio.gather(
            *(client.post(url, json=body, headers=h) for url, body, h in requests)
        )


def test_fifty_concurrent_bookings_give_exactly_one(city_server: CityServer) -> None:
    base = city_server.base
    headers = [auth(base, IVAN), auth(base, ANNA)]
    slot = free_slots(base, "cardiologist", 1)[0]
    reqs = [("/health/v1/appointments", {"slot_id": slot["id"]}, headers[i % 2]) for i in range(50)]
    responses = asyncio.run(_fire(base, reqs))
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 409: 49}, codes
    conflicts = [r.json()["error"] for r in responses if r.status_code == 409]
    # the winner's own later requests meet the EMIAS rule first (one visit per specialty)
    assert all((e["code"] == "slot-taken" and e["alternatives"])
               or e["code"] == "specialty-already-booked" for e in conflicts)
    winner = next(r for r in responses if r.status_code == 201).json()
    booked = [
        a
        for h in headers
        for a in httpx.get(f"{base}/health/v1/appointments", headers=h).json()["appointments"]
        if a["slot"][0]["reference"] == f"Slot/{slot['id']}"
    ]
    assert [a["id"] for a in booked] == [winner["id"]]
    _record(f"double-booking-{city_server.db}", {"requests": 50, "status_counts": dict(codes)})


def test_one_patient_racing_for_one_specialty_gets_one_visit(city_server: CityServer) -> None:
    """EMIAS (issue 10 item 7): twenty concurrent bookings of different slots of one specialty
    by one patient give one visit, on SQLite (BEGIN IMMEDIATE) and PostgreSQL (FOR UPDATE)."""
    base = city_server.base
    anna = auth(base, ANNA)
    slots = free_slots(base, "dermatologist", 20)
    reqs = [("/health/v1/appointments", {"slot_id": s["id"]}, anna) for s in slots]
    responses = asyncio.run(_fire(base, reqs))
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 409: 19}, codes
    refused = {r.json()["error"]["code"] for r in responses if r.status_code == 409}
    assert refused <= {"specialty-already-booked", "visit-overlaps"}
    mine = httpx.get(f"{base}/health/v1/appointments", headers=anna).json()["appointments"]
    assert [a["serviceType"] for a in mine].count("dermatologist") == 1


def test_concurrent_reschedules_of_one_appointment(city_server: CityServer) -> None:
    base = city_server.base
    ivan = auth(base, SERGEI)  # a patient no other test books for
    first, *targets = free_slots(base, "neurologist", 11)
    appt = httpx.post(f"{base}/health/v1/appointments", json={"slot_id": first["id"]}, headers=ivan)
    assert appt.status_code == 201
    url = f"/health/v1/appointments/{appt.json()['id']}/reschedule"
    responses = asyncio.run(_fire(base, [(url, {"slot_id": t["id"]}, ivan) for t in targets]))
    codes = Counter(r.status_code for r in responses)
    assert codes[200] == 1 and codes[409] == len(targets) - 1, codes
    mine = httpx.get(f"{base}/health/v1/appointments", headers=ivan).json()["appointments"]
    assert len(mine) == 1 and mine[0]["status"] == "booked"
    taken = {s["id"] for s in free_slots(base, "neurologist", 10)}
    assert first["id"] in taken  # the old slot was released exactly once


def test_fixed_records_over_http(city_server: CityServer) -> None:
    base = city_server.base
    assert httpx.get(f"{base}/troika/v1/cards/9876543210", headers=KEY).json()["balance_rub"] == 12
    kg = httpx.post(f"{base}/kindergarten/v1/applications/4455123", headers=KEY,
                    json={"child_birth_date": "2021-06-01"})
    assert kg.json()["position"] == 17
    stops = httpx.get(f"{base}/transit/v1/stops", params={"q": "пушкинской площади"}).json()
    assert stops["stops"][0]["id"] == "pushkinskaya"
    form = {"service_code": "streetlight", "address_string": "Тверская ул., 9", "description": "x"}
    created = httpx.post(f"{base}/open311/v2/requests.json", data=form, headers=KEY)
    assert created.status_code == 200
    rid = created.json()[0]["service_request_id"]
    assert int(rid) > 1002
    [got] = httpx.get(f"{base}/open311/v2/requests/{rid}.json").json()
    assert got["status"] == "open"


def test_fuzz_over_http(city_server: CityServer) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode, openapi

    base = city_server.base
    schema = openapi.from_url(f"{base}/openapi.json")
    headers = auth(base, ANNA)
    counts: Counter[int] = Counter()
    for result in schema.get_all_operations():
        op = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=5,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                resp = case.call(base_url=base, headers={**(case.headers or {}), **headers})
                counts[resp.status_code] += 1
                assert resp.status_code < 500, (case.method, case.formatted_path, resp.text)

            with contextlib.suppress(Unsatisfiable):  # no parameters: no negative cases
                run()
    assert sum(counts.values()) > 100 and not any(c >= 500 for c in counts)
    _record(
        f"fuzz-live-{city_server.db}", {"cases": sum(counts.values()), "per_status": dict(counts)}
    )


def _record(name: str, data: dict[str, Any]) -> None:
    out = Path("test-artifacts")
    out.mkdir(exist_ok=True)
    (out / f"cityservices-{name}.json").write_text(json.dumps(data, indent=2))


def test_rate_limit_per_client_behind_a_proxy(city_server: CityServer) -> None:
    """uvicorn takes the client from X-Forwarded-For when the proxy is trusted (127.0.0.1 by
    default): one client that guesses policy numbers is stopped; the next client is not."""
    url = f"{city_server.base}/health/v1/patients/identify"
    guesser, neighbour = {**KEY, "X-Forwarded-For": "203.0.113.7"}, {
        **KEY, "X-Forwarded-For": "203.0.113.8"}
    codes = []
    for i in range(25):  # a new policy each time: only the per-client limit can trigger
        who = {"policy_number": f"77000000000{i:05d}", "birth_date": "1970-01-01"}
        codes.append(httpx.post(url, json=who, headers=guesser).status_code)
    assert set(codes) == {404, 429} and codes[-1] == 429, codes
    stranger = {"policy_number": "7700000000099999", "birth_date": "1970-01-01"}
    assert httpx.post(url, json=stranger, headers=neighbour).status_code == 404
    assert httpx.post(url, json=IVAN, headers=neighbour).status_code == 200
