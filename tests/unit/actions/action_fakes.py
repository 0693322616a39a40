"""A fake city client (the thing under test is the actions, never this) and tracker helpers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.city_client import (
    Appointment,
    Conflict,
    Identity,
    KindergartenApplication,
    NotFound,
    Slot,
    TroikaCard,
    Unavailable,
)

POLICY, BIRTH = "7712345678901234", "1985-03-14"


def slot(i: int, start: str) -> Slot:
    return Slot.model_validate({
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
        self.slot_list = [slot(1, "2026-11-26T09:00:00+03:00"),
                          slot(2, "2026-11-26T10:30:00+03:00"),
                          slot(3, "2026-11-26T11:00:00+03:00"),
                          slot(4, "2026-11-26T12:00:00+03:00")]

    def _check(self, name: str) -> None:
        self.calls.append(name)
        if self.down:
            raise Unavailable("timeout", "slow")

    async def troika(self, number: str) -> TroikaCard:
        self._check("troika")
        if number != "0123456789":
            raise NotFound("card-not-found")
        return TroikaCard(number=number, balance_rub=245.0)

    async def kindergarten(self, number: str) -> KindergartenApplication:
        self._check("kindergarten")
        return KindergartenApplication(number=number, status="in_queue", position=17, total=230)

    async def identify(self, policy: str, birth: str) -> Identity:
        self._check("identify")
        if (policy, birth) != (POLICY, BIRTH):
            raise NotFound("patient-not-found")
        return Identity.model_validate({"token": "tok", "patient": {
            "id": 1, "name_ru": "Иван Петров", "name_en": "Ivan Petrov"}})

    async def slots(self, specialty: str, date_from: str, date_to: str, limit: int = 10,
                    district: str | None = None) -> list[Slot]:
        self._check("slots")
        return list(self.slot_list)

    async def book(self, token: str, slot_id: str) -> Appointment:
        self._check("book")
        if slot_id in self.taken:
            raise Conflict("slot-taken", "taken", [self.slot_list[3]])
        self.booked.append(slot_id)
        return Appointment.model_validate({
            "id": 7, "reference": "A000007", "start": "2026-11-26T10:30:00+03:00",
            "serviceType": "dentist"})


def tracker(
    text: str, intent: str = "inform", lang: str = "ru", slots: dict[str, Any] | None = None,
    channel: str = "phone", entities: list[dict[str, Any]] | None = None,
    active_loop: str | None = None, events: list[dict[str, Any]] | None = None,
) -> Tracker:
    return Tracker.from_dict({
        "sender_id": "t1",
        "slots": slots or {},
        "latest_message": {
            "text": text, "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
            "entities": entities or [], "metadata": {"lang": lang, "channel": channel},
        },
        "events": events or [],
        "active_loop": {"name": active_loop} if active_loop else {},
        "latest_action_name": "action_listen",
    })


def texts(dispatcher: Any) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def customs(dispatcher: Any) -> list[dict[str, Any]]:
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
