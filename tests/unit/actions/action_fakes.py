"""A fake city client (the thing under test is the actions, never this) and tracker helpers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.city_client import (
    Appointment,
    Arrival,
    CityApi,
    Conflict,
    Hotspot,
    Identity,
    KindergartenApplication,
    NotFound,
    Road,
    ServiceRequest,
    Stop,
    TimeSlot,
    TroikaCard,
    TroikaTrip,
    Unavailable,
)
from actions.vault import seal

POLICY, BIRTH = "7712345678901234", "1985-03-14"
KG_BIRTH = "2021-06-01"  # the child of application 4455123 (cityservices/seed/records.py)


def slot(i: int, start: str) -> TimeSlot:
    return TimeSlot.model_validate({
        "id": f"s{i}", "status": "free", "start": start, "end": start, "specialty": "dentist",
        "clinic": {"id": "c1", "name_ru": "Поликлиника 1", "name_en": "Clinic 1",
                   "address": "Tverskaya 1"},
        "practitioner": {"id": "p1", "name_ru": "Анна Смирнова", "name_en": "Anna Smirnova"},
    })


class FakeCity:
    def __init__(self, down: bool = False, taken: set[str] | None = None) -> None:
        self.down = down
        self.taken = taken or set()
        self.booked: list[str] = []
        self.calls: list[str] = []
        self.keys: list[str | None] = []  # the idempotency keys of book / cancel / reschedule
        self.kg_birth_dates: list[str] = []
        self.slot_list = [slot(1, "2026-11-26T09:00:00+03:00"),
                          slot(2, "2026-11-26T10:30:00+03:00"),
                          slot(3, "2026-11-26T11:00:00+03:00"),
                          slot(4, "2026-11-26T12:00:00+03:00")]
        self.appointment_list: list[Appointment] = [APPOINTMENT]

    def _check(self, name: str) -> None:
        self.calls.append(name)
        if self.down:
            raise Unavailable("timeout", "slow")

    async def troika(self, number: str) -> TroikaCard:
        self._check("troika")
        if number != "0123456789":
            raise NotFound("card-not-found")
        return TroikaCard(number=number, balance_rub=245.0)

    async def kindergarten(self, number: str, child_birth_date: str) -> KindergartenApplication:
        self._check("kindergarten")
        self.kg_birth_dates.append(child_birth_date)
        if child_birth_date != KG_BIRTH:
            raise NotFound("application-not-found")
        return KindergartenApplication(number=number, status="in_queue", position=17, total=230)

    async def troika_trips(self, number: str, phone_last4: str) -> list[TroikaTrip]:
        self._check("troika_trips")
        return []

    async def identify(self, policy_number: str, birth_date: str) -> Identity:
        self._check("identify")
        if (policy_number, birth_date) != (POLICY, BIRTH):
            raise NotFound("patient-not-found")
        return Identity.model_validate({"token": "tok", "patient": {
            "id": 1, "name_ru": "Иван Петров", "name_en": "Ivan Petrov"}})

    async def slots(self, specialty: str, date_from: str, date_to: str, limit: int = 10,
                    district: str | None = None) -> list[TimeSlot]:
        self._check("slots")
        return list(self.slot_list)

    async def book(
        self, token: str, slot_id: str | int, idempotency_key: str | None = None
    ) -> Appointment:
        self._check("book")
        self.keys.append(idempotency_key)
        if slot_id in self.taken:
            raise Conflict("slot-taken", "taken", [self.slot_list[3]])
        self.booked.append(str(slot_id))
        return APPOINTMENT

    async def appointments(self, token: str) -> list[Appointment]:
        self._check("appointments")
        return list(self.appointment_list)

    async def cancel(
        self, token: str, appointment_id: str | int, idempotency_key: str | None = None
    ) -> Appointment:
        self._check("cancel")
        self.keys.append(idempotency_key)
        return APPOINTMENT.model_copy(update={"status": "cancelled"})

    async def reschedule(
        self, token: str, appointment_id: str | int, slot_id: str | int,
        idempotency_key: str | None = None,
    ) -> Appointment:
        self._check("reschedule")
        self.keys.append(idempotency_key)
        return APPOINTMENT

    async def find_stops(self, query: str) -> list[Stop]:
        self._check("find_stops")
        return [Stop(id="st1", name_ru="Пушкинская площадь", name_en="Pushkinskaya Square",
                     lat=55.765, lon=37.605)]

    async def arrivals(
        self, stop_id: str | int, route: str | None = None, limit: int = 3
    ) -> list[Arrival]:
        self._check("arrivals")
        return [Arrival(route=route or "15", minutes=4)][:limit]

    async def roads(self, query: str | None = None) -> list[Road]:
        self._check("roads")
        return [Road(id="r1", name_ru="Тверская улица", name_en="Tverskaya Street", level=6)]

    async def hotspots(self, lat: float, lon: float, limit: int = 3) -> list[Hotspot]:
        self._check("hotspots")
        return [Hotspot(id="h1", name_ru="Библиотека", name_en="Library", ssid="Moscow_WiFi_Free",
                        distance_m=120.0)][:limit]

    async def report(
        self, service_code: str, description: str, address: str | None = None,
        lat: float | None = None, lon: float | None = None,
    ) -> str:
        self._check("report")
        return "1001"

    async def request_status(self, request_id: str) -> ServiceRequest:
        self._check("request_status")
        if request_id != "1001":
            raise NotFound("request-not-found")
        return ServiceRequest(service_request_id=request_id, status="open")

    async def services(self) -> list[dict[str, Any]]:
        self._check("services")
        return [{"service_code": "pothole", "service_name": "Pothole"}]


APPOINTMENT = Appointment.model_validate({
    "id": 7, "reference": "A000007", "start": "2026-11-26T10:30:00+03:00",
    "serviceType": "dentist"})


def city_api(city: FakeCity) -> CityApi:
    """The fake is a CityApi: mypy checks this line (`mypy tests/unit/actions/action_fakes.py`)."""
    return city


def tracker(
    text: str, intent: str = "inform", lang: str = "ru", slots: dict[str, Any] | None = None,
    channel: str = "phone", entities: list[dict[str, Any]] | None = None,
    active_loop: str | None = None, events: list[dict[str, Any]] | None = None,
) -> Tracker:
    return Tracker.from_dict({
        "sender_id": "t1",
        "slots": sealed_as_stored(slots or {}),
        "latest_message": {
            "text": text, "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
            "entities": entities or [], "metadata": {"lang": lang, "channel": channel},
        },
        "events": events or [],
        "active_loop": {"name": active_loop} if active_loop else {},
        "latest_action_name": "action_listen",
    })


def sealed_as_stored(slots: dict[str, Any]) -> dict[str, Any]:
    """A test's hand-written slots with a full policy number or a token, as an earlier turn
    stored them: sealed (actions/vault.py). Masked and already sealed values stay as they are."""
    def sealed(value: Any) -> Any:
        plain = isinstance(value, str) and value and "*" not in value
        return seal(value) if plain and not value.startswith("sealed:") else value

    out = dict(slots)
    for name in ("patient_token", "policy_number"):
        if name in out:
            out[name] = sealed(out[name])
    pending = out.get("pending")
    if isinstance(pending, dict) and isinstance(pending.get("data"), dict):
        data = dict(pending["data"])
        for name in ("token", "policy"):
            if name in data:
                data[name] = sealed(data[name])
        out["pending"] = {**pending, "data": data}
    return out


def texts(dispatcher: Any) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def customs(dispatcher: Any) -> list[dict[str, Any]]:
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
