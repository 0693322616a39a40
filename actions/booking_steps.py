"""One step per booking-form slot: understand the answer, or return None (not understood)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import Reply, entity, intent_name, service_error, turn_channel
from actions.city_client import Conflict, RateLimited, Slot, Unavailable
from actions.health_text import clinic_name, doctor_name, specialty_name, when_text
from actions.messages import say
from actions.parsing import ClockTime, canonical_specialty, parse_date, parse_time
from actions.patient import birth_from, corrected_policy, identify, policy_from, read_back_policy

logger = logging.getLogger(__name__)

ORDER = ("specialty", "policy_number", "birth_date", "date_pref", "slot_choice", "confirm")
YES = re.compile(r"^(да|yes|yeah|верно|конечно|подтверждаю|correct|sure|ok|okay|ага)\b")
NO = re.compile(r"^(нет|no|nope|не надо|неверно)\b")
_LATER = re.compile(r"\b(позже|попозже|later|after that|следующ\w+ врем\w+)\b")
_OTHER_DAY = re.compile(r"\b(друг\w+ (день|дату|число)|another (day|date)|different (day|date)|"
                        r"other day)\b")
_ORDINAL = re.compile(r"^(?:[^\d]*\s)?([1-3])(?:\s[^\d]*)?$")
PAGE = 3

Values = dict[str, Any]
Step = Callable[[Any, Tracker, Reply, Values, str], Awaitable[list[EventType] | None]]


def next_slot(values: Values) -> str | None:
    return next((s for s in ORDER if values.get(s) in (None, "")), None)


def put(values: Values, name: str, value: Any) -> SlotSet:
    values[name] = value
    return SlotSet(name, value)


async def step_specialty(
    client: Any, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    code = canonical_specialty(entity(tracker, "specialty")) or canonical_specialty(text)
    return [put(values, "specialty", code)] if code else None


async def step_policy(
    client: Any, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    policy = policy_from(text)
    if not policy:
        return None
    read_back_policy(reply, policy, turn_channel(tracker))
    return [put(values, "policy_number", policy)]


async def step_birth(
    client: Any, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    fixed = corrected_policy(text, values.get("policy_number")) or policy_from(text)
    if fixed:
        read_back_policy(reply, fixed, turn_channel(tracker))
        return [put(values, "policy_number", fixed)]
    birth = birth_from(text, reply.lang)
    if not birth:
        return None
    try:
        result = await identify(client, reply, str(values["policy_number"]), birth)
    except (Unavailable, RateLimited) as error:
        return _down(reply, error, values)
    for event in result.events:
        values[event["name"]] = event["value"]
    return result.events


def _down(reply: Reply, error: Unavailable | RateLimited, values: Values) -> list[EventType]:
    events = service_error(reply, error, "health", {"task": "booking_form"})
    values["_stop"] = True
    return events


async def step_date(
    client: Any, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    wanted = parse_date(text, reply.lang)
    if not wanted:
        return None
    return [put(values, "date_pref", wanted.isoformat()), put(values, "offered_slots", None)]


async def fetch_slots(
    client: Any, specialty: str, day: str, after: str | None = None
) -> list[dict[str, Any]]:
    """The nearest free slots from `day` on (a week ahead), after `after` when given."""
    start = date.fromisoformat(day)
    slots: list[Slot] = await client.slots(
        specialty, start.isoformat(), (start + timedelta(days=7)).isoformat(), limit=20
    )
    picked: list[Slot] = []
    for slot in slots:  # the nearest free slots, one per start time: "в 10 30" is unambiguous
        if slot.status != "free" or (after is not None and slot.start <= after):
            continue
        if all(p.start != slot.start for p in picked):
            picked.append(slot)
    return [s.model_dump(by_alias=False) for s in picked[:PAGE]]


def _by_time(text: str, offered: list[dict[str, Any]]) -> dict[str, Any] | None:
    wanted = parse_time(text)
    if wanted is None:
        return None
    for slot in offered:
        moment = datetime.fromisoformat(str(slot["start"]))
        if (moment.hour, moment.minute) == (wanted.hour, wanted.minute):
            return slot
    return None


async def step_choice(
    client: Any, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    offered: list[dict[str, Any]] = list(values.get("offered_slots") or [])
    if _OTHER_DAY.search(text):
        return [put(values, "date_pref", None), put(values, "offered_slots", None)]
    if _LATER.search(text) and offered:
        try:
            later = await fetch_slots(client, str(values["specialty"]), str(values["date_pref"]),
                                      after=str(offered[-1]["start"]))
        except (Unavailable, RateLimited) as error:
            return _down(reply, error, values)
        if not later:
            return [put(values, "date_pref", None), put(values, "offered_slots", None)]
        return [put(values, "offered_slots", later)]
    chosen = _by_time(text, offered)
    ordinal = _ORDINAL.match(text.strip())
    if chosen is None and ordinal and int(ordinal.group(1)) <= len(offered):
        chosen = offered[int(ordinal.group(1)) - 1]
    wanted_time = parse_time(text)
    if chosen is None and wanted_time is not None and offered:
        return await _from_time(client, reply, values, wanted_time, offered)
    if chosen is None:
        wanted = parse_date(text, reply.lang) if intent_name(tracker) == "inform" else None
        if wanted:
            return [put(values, "date_pref", wanted.isoformat()),
                    put(values, "offered_slots", None)]
        return None
    return [put(values, "slot_choice", str(chosen["id"])), SlotSet("confirm", None)]


async def _from_time(client: Any, reply: Reply, values: Values, wanted: ClockTime,
                     offered: list[dict[str, Any]]) -> list[EventType] | None:
    """A time that was not offered: that very slot when it is free, else the nearest after it."""
    first = datetime.fromisoformat(str(offered[0]["start"]))
    day = date.fromisoformat(str(values["date_pref"]))
    at = datetime.combine(day, time(wanted.hour, wanted.minute), tzinfo=first.tzinfo)
    try:
        found = await fetch_slots(client, str(values["specialty"]), day.isoformat(),
                                  after=(at - timedelta(minutes=1)).isoformat())
    except (Unavailable, RateLimited) as error:
        return _down(reply, error, values)
    if not found:
        return None  # nothing from that time on: the same offer, with how to answer it
    events = [put(values, "offered_slots", found)]
    if datetime.fromisoformat(str(found[0]["start"])) == at:
        events += [put(values, "slot_choice", str(found[0]["id"])), SlotSet("confirm", None)]
    else:
        reply.say("time_not_free", time=str(wanted))
    return events


async def step_confirm(
    client: Any, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    intent = intent_name(tracker)
    if intent == "deny" or NO.match(text):
        return [put(values, "slot_choice", None), put(values, "confirm", None)]
    if not (intent == "affirm" or YES.match(text)):
        return None
    token = str(tracker.get_slot("patient_token"))
    try:
        appointment = await client.book(token, str(values["slot_choice"]))
    except Conflict as conflict:
        reply.say("slot_taken")
        alts = [s.model_dump() for s in conflict.alternatives if s.status == "free"][:PAGE]
        logger.info("booking: slot taken, %d alternatives", len(alts))
        return [put(values, "slot_choice", None), put(values, "offered_slots", alts or None),
                put(values, "confirm", None)]
    except (Unavailable, RateLimited) as error:
        return _down(reply, error, values)
    chosen = _chosen(values)
    reply.say("booked", specialty=specialty_name(values.get("specialty"), reply.lang),
              when=when_text(appointment.start, reply.lang),
              clinic=clinic_name(appointment, reply.lang), reference=appointment.reference)
    if chosen is not None:
        reply.display(_details(reply, chosen, appointment.reference))
    logger.info("booking: appointment %s booked", appointment.reference)
    return [put(values, "confirm", True), SlotSet("booking_ref", appointment.reference)]


def _chosen(values: Values) -> Slot | None:
    for slot in values.get("offered_slots") or []:
        if str(slot["id"]) == str(values.get("slot_choice")):
            return Slot.model_validate(slot)
    return None


def _details(reply: Reply, slot: Slot, reference: str) -> str:
    address = slot.clinic.address if slot.clinic else ""
    return say("booking_details", reply.lang, reference=reference,
               specialty=specialty_name(slot.specialty, reply.lang),
               doctor=doctor_name(slot, reply.lang), when=when_text(slot.start, reply.lang),
               clinic=clinic_name(slot, reply.lang), address=address)


STEPS: dict[str, Step] = {
    "specialty": step_specialty,
    "policy_number": step_policy,
    "birth_date": step_birth,
    "date_pref": step_date,
    "slot_choice": step_choice,
    "confirm": step_confirm,
}
