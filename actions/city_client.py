"""Typed HTTP client of the city back-ends (docs/city-api.md).

The only way actions reach the city.

Bookings, cancellations and reschedules carry an ``Idempotency-Key`` (tied to the conversation
and the offer: `idempotency_key`) and an ``X-Request-Deadline`` a little before this client gives
up. On a timeout the same request is sent again with the same key (bounded, `MUTATION_ATTEMPTS`):
if the first one went through, the answer is that booking (same reference); if none answers in
time, the back-end commits nothing after the last deadline, so "the service is not responding"
is then the truth. Each request names the conversation in a signed ``X-Caller`` (HMAC with
``city.caller_secret``) for the back-end's per-caller limits; `set_caller` binds it.

Connections are reused: every `CityClient` of an event loop shares one httpx client per base URL
(`_shared_http`), so an action run opens no new connection (and builds no new client, whose SSL
context alone costs milliseconds). Idle connections are dropped after `KEEPALIVE_S`, under the
back-end's own keep-alive (uvicorn: 5 s), so none is reused as the server closes it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
import weakref
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field

from actions.metrics import observe_city_call
from actions.settings import current_settings

logger = logging.getLogger(__name__)
MUTATION_ATTEMPTS = 2  # the first request and one retry with the same key, after a timeout
DEADLINE_MARGIN_S = 0.5  # the back-end stops committing this long before the client gives up
KEEPALIVE_S = 2.0  # an idle connection is closed after this (uvicorn's keep-alive: 5 s)
_CALLER: ContextVar[str | None] = ContextVar("city_caller", default=None)
_SHARED: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, float], httpx.AsyncClient]
] = weakref.WeakKeyDictionary()


def _shared_http(base_url: str, timeout_s: float) -> httpx.AsyncClient:
    """The running loop's client for `base_url` (made on first use; an httpx client belongs to
    the loop it first ran on, so each loop has its own)."""
    clients = _SHARED.setdefault(asyncio.get_running_loop(), {})
    client = clients.get((base_url, timeout_s))
    if client is None or client.is_closed:
        client = httpx.AsyncClient(base_url=base_url, timeout=timeout_s,
                                   limits=httpx.Limits(keepalive_expiry=KEEPALIVE_S))
        clients[(base_url, timeout_s)] = client
    return client


async def close_shared() -> None:
    """Close the running loop's shared clients (the action server calls this on shutdown)."""
    clients = _SHARED.pop(asyncio.get_running_loop(), {})
    for client in clients.values():
        await client.aclose()


def caller_id(sender_id: str) -> str:
    """An opaque id of a conversation (the sender id may be a phone number: never sent)."""
    return hashlib.sha256(f"caller\n{sender_id}".encode()).hexdigest()[:32]


def set_caller(sender_id: str | None) -> None:
    """Name the conversation whose requests follow (in this task: an action run)."""
    _CALLER.set(caller_id(sender_id) if sender_id else None)


def idempotency_key(sender_id: str | None, *parts: object) -> str:
    """The key of one mutation: the conversation, what it acts on (slot, appointment) and the
    turn: a retry of the same turn (or a replayed action) repeats it, a later turn does not."""
    text = "\n".join(str(p) for p in (sender_id or "", *parts))
    return "k-" + hashlib.sha256(text.encode()).hexdigest()[:40]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Clinic(_Model):
    id: str | int
    name_ru: str = ""
    name_en: str = ""
    district: str = ""
    address: str = ""


class Practitioner(_Model):
    id: str | int
    name_ru: str = ""
    name_en: str = ""


class TimeSlot(_Model):
    id: str | int
    status: str = "free"
    start: str
    end: str = ""
    specialty: str = ""
    clinic: Clinic | None = None
    practitioner: Practitioner | None = None


class Appointment(_Model):
    id: str | int
    reference: str = ""
    status: str = "booked"
    start: str
    end: str = ""
    service_type: str = Field(default="", alias="serviceType")
    clinic: Clinic | None = None
    practitioner: Practitioner | None = None


class Patient(_Model):
    id: str | int
    name_ru: str = ""
    name_en: str = ""
    district: str = ""


class Identity(_Model):
    token: str
    expires_at: str = ""
    patient: Patient


class RedeemedReminder(_Model):
    """A reminder call's ticket, redeemed: the patient's token and the visit (reminder.py)."""

    token: str
    lang: str = "ru"
    patient: Patient
    appointment: Appointment


class TroikaTrip(_Model):
    at: str = ""
    route: str | None = None
    fare_rub: float = 0.0


class TroikaCard(_Model):
    number: str
    balance_rub: float
    last_topup_at: str | None = None
    trips: list[TroikaTrip] = []


class Kindergarten(_Model):
    number: str
    name_ru: str = ""
    name_en: str = ""


class KindergartenApplication(_Model):
    number: str
    status: str
    status_ru: str = ""
    status_en: str = ""
    position: int | None = None
    total: int | None = None
    kindergartens: list[str] = []
    kindergartens_detail: list[Kindergarten] = []
    updated_at: str = ""


class RouteRef(_Model):
    route: str
    route_type: str = "bus"


class Stop(_Model):
    id: str | int
    name_ru: str = ""
    name_en: str = ""
    lat: float = 0.0
    lon: float = 0.0
    routes: list[RouteRef] = []


class Arrival(_Model):
    route: str
    route_type: str = "bus"
    headsign: str = ""
    arrival_time: str = ""
    minutes: int = 0


class Road(_Model):
    id: str | int
    name_ru: str = ""
    name_en: str = ""
    level: int = 0
    at: str = ""


class Hotspot(_Model):
    id: str | int
    name_ru: str = ""
    name_en: str = ""
    ssid: str = ""
    lat: float = 0.0
    lon: float = 0.0
    distance_m: float = 0.0


class ServiceRequest(_Model):
    service_request_id: str | int
    status: str = "open"
    status_notes: str | None = None
    status_notes_ru: str | None = None
    service_name: str | None = None
    service_name_ru: str | None = None
    address: str | None = None
    requested_datetime: str | None = None
    updated_datetime: str | None = None


class CityError(Exception):
    """Base of the client's errors; `code` is the back-end's stable error code."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class NotFound(CityError):
    """404: the number, card or appointment is unknown."""


class InvalidInput(CityError):
    """422: malformed number or date."""


class Unavailable(CityError):
    """The back-end is down, slow (timeout) or answered 5xx."""


class RateLimited(CityError):
    """429."""


class Conflict(CityError):
    """409, e.g. slot-taken; `alternatives` are free slots offered instead."""

    def __init__(self, code: str, message: str = "", alternatives: list[TimeSlot] | None = None,
                 existing_id: str | int | None = None):
        super().__init__(code, message)
        self.alternatives = alternatives or []
        self.existing_id = existing_id


class AlreadyBooked(Conflict):
    """409 specialty-already-booked: one active visit per specialty; `existing_id` is that
    visit (the caller may reschedule it instead)."""


class VisitOverlaps(Conflict):
    """409 visit-overlaps: the patient has another visit at that time (`existing_id`)."""


class SlotInPast(Conflict):
    """409 slot-in-past: that time has already begun; `alternatives` are later ones."""


CONFLICTS: dict[str, type[Conflict]] = {
    "specialty-already-booked": AlreadyBooked, "visit-overlaps": VisitOverlaps,
    "slot-in-past": SlotInPast,
}


class CityApi(Protocol):
    """What the actions may ask of the city: `CityClient` over HTTP, or a test's fake."""

    async def identify(self, policy_number: str, birth_date: str) -> Identity: ...

    async def slots(
        self, specialty: str, date_from: str, date_to: str, limit: int = 10,
        district: str | None = None,
    ) -> list[TimeSlot]: ...

    async def book(
        self, token: str, slot_id: str | int, idempotency_key: str | None = None
    ) -> Appointment: ...

    async def appointments(self, token: str) -> list[Appointment]: ...

    async def cancel(
        self, token: str, appointment_id: str | int, idempotency_key: str | None = None
    ) -> Appointment: ...

    async def reschedule(
        self, token: str, appointment_id: str | int, slot_id: str | int,
        idempotency_key: str | None = None,
    ) -> Appointment: ...

    async def kindergarten(self, number: str, child_birth_date: str) -> KindergartenApplication:
        ...

    async def troika(self, number: str) -> TroikaCard: ...

    async def troika_trips(self, number: str, phone_last4: str) -> list[TroikaTrip]: ...

    async def find_stops(self, query: str) -> list[Stop]: ...

    async def arrivals(
        self, stop_id: str | int, route: str | None = None, limit: int = 3
    ) -> list[Arrival]: ...

    async def roads(self, query: str | None = None) -> list[Road]: ...

    async def hotspots(self, lat: float, lon: float, limit: int = 3) -> list[Hotspot]: ...

    async def report(
        self, service_code: str, description: str, address: str | None = None,
        lat: float | None = None, lon: float | None = None,
    ) -> str: ...

    async def request_status(self, request_id: str) -> ServiceRequest: ...

    async def services(self) -> list[dict[str, Any]]: ...


class CityClient:
    """One client for all city services. Timeout, base URL and key: arguments or config.yml."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        caller_secret: str | None = None,
    ) -> None:
        if base_url is None or api_key is None or timeout_s is None or caller_secret is None:
            settings = current_settings()
            base_url = base_url or settings.city_url
            api_key = api_key or settings.city.api_key
            timeout_s = timeout_s or settings.city.timeout_s
            caller_secret = settings.city.caller_secret if caller_secret is None else caller_secret
        self.base_url: str = base_url
        self.api_key: str = api_key
        self.timeout_s: float = timeout_s
        self.caller_secret: str = caller_secret
        self._transport = transport

    def _caller_header(self) -> dict[str, str]:
        caller = _CALLER.get()
        if not caller or not self.caller_secret:
            return {}
        mac = hmac.new(self.caller_secret.encode(), caller.encode(), hashlib.sha256).hexdigest()
        return {"X-Caller": f"{caller}.{mac}"}

    async def _mutate(self, method: str, path: str, token: str, key: str | None,
                      **kwargs: Any) -> Any:
        """A mutation with its idempotency key, retried with the same key after a timeout (or a
        lost connection), so the answer is the truth: the booking made, or nothing made."""
        key = key or idempotency_key(None, method, path, datetime.now(UTC).isoformat())
        for attempt in range(1, MUTATION_ATTEMPTS + 1):
            deadline = datetime.now(UTC) + timedelta(seconds=self.timeout_s - DEADLINE_MARGIN_S)
            headers = {"Idempotency-Key": key,
                       "X-Request-Deadline": deadline.isoformat(timespec="milliseconds")}
            try:
                return await self._request(method, path, token=token, headers=headers, **kwargs)
            except Unavailable as error:
                retry = error.code in ("timeout", "unreachable", "deadline-exceeded")
                if not retry or attempt == MUTATION_ATTEMPTS:
                    raise
                logger.warning("city %s %s: %s, asking again with the same key",
                               method, path.split("/")[1:3], error.code)
        raise AssertionError("unreachable")

    async def _request(
        self, method: str, path: str, *, token: str | None = None,
        headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        headers = {"X-API-Key": self.api_key, **self._caller_header(), **(headers or {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()  # gorod_city_call_seconds (actions/metrics.py)
        try:
            if self._transport is None:
                http = _shared_http(self.base_url, self.timeout_s)
                response = await http.request(method, path, headers=headers, **kwargs)
            else:  # a test's transport: a client of its own
                async with httpx.AsyncClient(
                    base_url=self.base_url, timeout=self.timeout_s, transport=self._transport
                ) as own:
                    response = await own.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            observe_city_call(path, "timeout", started)
            logger.warning("city %s %s timed out", method, path.split("/")[1:3])
            raise Unavailable("timeout", str(exc)) from exc
        except httpx.HTTPError as exc:
            observe_city_call(path, "unreachable", started)
            logger.warning("city %s unreachable: %s", method, type(exc).__name__)
            raise Unavailable("unreachable", str(exc)) from exc
        status = response.status_code
        observe_city_call(path, "ok" if status < 400 else str(status), started)
        return self._check(response)

    @staticmethod
    def _check(response: httpx.Response) -> Any:
        if response.status_code < 400:
            return response.json() if response.content else None
        try:
            error = response.json().get("error", {})
        except ValueError:
            error = {}
        code = str(error.get("code", response.status_code))
        message = str(error.get("message", ""))
        status = response.status_code
        if status == 404:
            raise NotFound(code, message)
        if status == 409:
            alts = [TimeSlot.model_validate(s) for s in error.get("alternatives", []) or []]
            kind = CONFLICTS.get(code, Conflict)
            raise kind(code, message, alts, error.get("existing_appointment_id"))
        if status == 422 or status == 400:
            raise InvalidInput(code, message)
        if status == 429:
            raise RateLimited(code, message)
        if status in (401, 403):
            raise InvalidInput(code, message)
        raise Unavailable(code, message)

    # health
    async def identify(self, policy_number: str, birth_date: str) -> Identity:
        body = {"policy_number": policy_number, "birth_date": birth_date}
        data = await self._request("POST", "/health/v1/patients/identify", json=body)
        return Identity.model_validate(data)

    async def slots(
        self, specialty: str, date_from: str, date_to: str, limit: int = 10,
        district: str | None = None,
    ) -> list[TimeSlot]:
        params: dict[str, Any] = {
            "specialty": specialty, "date_from": date_from, "date_to": date_to, "limit": limit,
        }
        if district:
            params["district"] = district
        data = await self._request("GET", "/health/v1/slots", params=params)
        return [TimeSlot.model_validate(s) for s in data.get("slots", [])]

    async def book(
        self, token: str, slot_id: str | int, idempotency_key: str | None = None
    ) -> Appointment:
        data = await self._mutate("POST", "/health/v1/appointments", token, idempotency_key,
                                  json={"slot_id": slot_id})
        return Appointment.model_validate(data)

    async def appointments(self, token: str) -> list[Appointment]:
        data = await self._request("GET", "/health/v1/appointments", token=token)
        return [Appointment.model_validate(a) for a in data.get("appointments", [])]

    async def cancel(
        self, token: str, appointment_id: str | int, idempotency_key: str | None = None
    ) -> Appointment:
        data = await self._mutate("DELETE", f"/health/v1/appointments/{appointment_id}", token,
                                  idempotency_key)
        return Appointment.model_validate(data)

    async def reschedule(
        self, token: str, appointment_id: str | int, slot_id: str | int,
        idempotency_key: str | None = None,
    ) -> Appointment:
        data = await self._mutate(
            "POST", f"/health/v1/appointments/{appointment_id}/reschedule", token,
            idempotency_key, json={"slot_id": slot_id},
        )
        return Appointment.model_validate(data)

    # reminder calls (cityservices/routers/reminders.py)
    async def redeem_reminder(self, ticket: str) -> RedeemedReminder:
        data = await self._request("POST", "/health/v1/reminders/redeem", json={"ticket": ticket})
        return RedeemedReminder.model_validate(data)

    async def reminder_outcome(self, appointment_id: str | int, outcome: str) -> None:
        await self._request("POST", f"/health/v1/reminders/{appointment_id}/outcome",
                            json={"outcome": outcome})

    # other services
    async def kindergarten(self, number: str, child_birth_date: str) -> KindergartenApplication:
        """The status needs the child's birth date (YYYY-MM-DD); a wrong one is NotFound."""
        data = await self._request("POST", f"/kindergarten/v1/applications/{number}",
                                   json={"child_birth_date": child_birth_date})
        return KindergartenApplication.model_validate(data)

    async def troika(self, number: str) -> TroikaCard:
        """Balance and last top-up (no trips: `troika_trips`)."""
        data = await self._request("GET", f"/troika/v1/cards/{number}")
        return TroikaCard.model_validate(data)

    async def troika_trips(self, number: str, phone_last4: str) -> list[TroikaTrip]:
        """Recent trips; the second factor is the owner's phone, last four digits."""
        data = await self._request("POST", f"/troika/v1/cards/{number}/trips",
                                   json={"phone_last4": phone_last4})
        return [TroikaTrip.model_validate(t) for t in data.get("trips", [])]

    async def find_stops(self, query: str) -> list[Stop]:
        data = await self._request("GET", "/transit/v1/stops", params={"q": query})
        return [Stop.model_validate(s) for s in data.get("stops", [])]

    async def arrivals(
        self, stop_id: str | int, route: str | None = None, limit: int = 3
    ) -> list[Arrival]:
        params: dict[str, Any] = {"limit": limit}
        if route:
            params["route"] = route
        data = await self._request("GET", f"/transit/v1/stops/{stop_id}/arrivals", params=params)
        return [Arrival.model_validate(a) for a in data.get("arrivals", [])]

    async def roads(self, query: str | None = None) -> list[Road]:
        params = {"q": query} if query else {}
        data = await self._request("GET", "/traffic/v1/roads", params=params)
        return [Road.model_validate(r) for r in data.get("roads", [])]

    async def hotspots(self, lat: float, lon: float, limit: int = 3) -> list[Hotspot]:
        params = {"lat": lat, "lon": lon, "limit": limit}
        data = await self._request("GET", "/wifi/v1/hotspots/nearest", params=params)
        return [Hotspot.model_validate(h) for h in data.get("hotspots", [])]

    async def report(
        self, service_code: str, description: str, address: str | None = None,
        lat: float | None = None, lon: float | None = None,
    ) -> str:
        body: dict[str, Any] = {"service_code": service_code, "description": description}
        if address:
            body["address_string"] = address
        if lat is not None and lon is not None:
            body["lat"], body["long"] = lat, lon
        data = await self._request("POST", "/open311/v2/requests.json", json=body)
        return str(data[0]["service_request_id"])

    async def request_status(self, request_id: str) -> ServiceRequest:
        data = await self._request("GET", f"/open311/v2/requests/{request_id}.json")
        return ServiceRequest.model_validate(data[0])

    async def services(self) -> list[dict[str, Any]]:
        data = await self._request("GET", "/open311/v2/services.json")
        return list(data)
