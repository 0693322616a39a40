"""The load test's proof from the city service itself: double bookings and lost bookings.

After the load, every demo patient's active visits are read from the city API (the demo data
has only these patients, so this is every active visit). A double booking is a patient with two
active visits to one specialty (an EMIAS rule) or one slot held by two visits; a lost booking
is one the assistant told a caller about ("Номер записи A000123") that the city does not hold:
checked by the caller right after the dialogue, and again here for the visits the callers did
not cancel themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import httpx

from assistant.cli.bench.load_script import PATIENTS, Patient
from assistant.cli.bench.realistic import City


class CityApi:
    """The health API as the load test uses it: identify, list, cancel."""

    def __init__(self, url: str, key: str, http: httpx.Client) -> None:
        self._call = City(url, http, key).call  # the realistic suite's authenticated call

    def token(self, patient: Patient) -> str:
        ident = self._call("POST", "/health/v1/patients/identify",
                           json={"policy_number": patient.policy,
                                 "birth_date": patient.birth_date})
        return str(ident["token"])

    def visits(self, patient: Patient, token: str = "") -> list[dict[str, Any]]:
        """The patient's active (booked, upcoming) visits."""
        answer = self._call("GET", "/health/v1/appointments", token or self.token(patient))
        return [a for a in answer["appointments"] if a.get("status", "booked") == "booked"]

    def cancel(self, patient: Patient, visit_id: int, token: str = "") -> None:
        self._call("DELETE", f"/health/v1/appointments/{visit_id}", token or self.token(patient))


def _slot_of(visit: dict[str, Any]) -> str:
    slots = visit.get("slot") or [{}]
    return str(slots[0].get("reference", ""))


def double_bookings(visits: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Each breach of "one active visit per specialty per patient" and "one visit per slot"."""
    found = []
    for patient, mine in sorted(visits.items()):
        per_specialty = Counter(str(v.get("serviceType")) for v in mine)
        found += [f"{patient} holds {n} active {spec} visits"
                  for spec, n in sorted(per_specialty.items()) if n > 1]
    per_slot = Counter(_slot_of(v) for mine in visits.values() for v in mine)
    found += [f"{slot} is held by {n} visits" for slot, n in sorted(per_slot.items()) if n > 1]
    return found


def lost(told: Iterable[dict[str, Any]], visits: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The bookings callers were told about (and kept) that the city does not hold."""
    held = {(p, str(v.get("reference"))) for p, mine in visits.items() for v in mine}
    return [f"{t['patient']} {t['reference']} ({t['specialty']})" for t in told
            if not t.get("cancelled") and (t["patient"], t["reference"]) not in held]


def untold(pairs: Iterable[tuple[str, str]], told: Iterable[dict[str, Any]],
           visits: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Active visits of the callers' (patient, specialty) pairs that no caller was told about
    (e.g. a confirmation whose answer came after the gateway's timeout)."""
    mine = set(pairs)
    known = {(t["patient"], t["reference"]) for t in told}
    return [f"{p} {v.get('reference')} ({v.get('serviceType')})"
            for p, held in sorted(visits.items()) for v in held
            if (p, str(v.get("serviceType"))) in mine and (p, v.get("reference")) not in known]


def audit(city_url: str, key: str, told: Sequence[dict[str, Any]],
          lost_during_run: Sequence[str] = (), pairs: Sequence[tuple[str, str]] = (),
          cleanup: bool = True) -> dict[str, Any]:
    """{"double_bookings": {count, examples}, "lost_bookings": {count, examples},
    "untold_bookings": {count, examples}, "active_visits": n, "told": n} from the city API
    after the load; then (`cleanup`) the visits of the callers' pairs are cancelled."""
    with httpx.Client(timeout=30) as http:
        city = CityApi(city_url, key, http)
        visits = {p.key: city.visits(p) for p in PATIENTS}
        if cleanup:  # the callers' visits: the stack may serve others after the load
            for patient in PATIENTS:
                for visit in visits[patient.key]:
                    if (patient.key, str(visit.get("serviceType"))) in set(pairs):
                        city.cancel(patient, int(visit["id"]))
    silent = untold(pairs, told, visits)
    doubles = double_bookings(visits)
    missing = [*lost_during_run, *lost(told, visits)]
    return {
        "double_bookings": {"count": len(doubles), "examples": doubles[:10]},
        "lost_bookings": {"count": len(missing), "examples": missing[:10]},
        "untold_bookings": {"count": len(silent), "examples": silent[:10]},
        "active_visits": sum(len(v) for v in visits.values()),
        "told": len(told),
    }
