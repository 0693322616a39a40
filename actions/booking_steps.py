"""One step per booking-form slot: understand the answer, or return None (not understood)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import clock
from actions.base import Reply, entity, service_error, turn_channel
from actions.city_client import (
    AlreadyBooked,
    CityApi,
    Conflict,
    RateLimited,
    SlotInPast,
    TimeSlot,
    Unavailable,
    VisitOverlaps,
    idempotency_key,
    set_caller,
)
from actions.health_text import clinic_name, doctor_name, specialty_name, when_text
from actions.messages import say
from actions.parsing import ClockTime, canonical_specialty, parse_date, parse_time_request
from actions.patient import birth_from, corrected_policy, identify, policy_from, read_back_policy
from actions.pending import Pending
from actions.repair import yes_no
from actions.vault import held_policy, held_token, keep_policy

logger = logging.getLogger(__name__)

ORDER = ("specialty", "policy_number", "birth_date", "date_pref", "slot_choice", "confirm")
_LATER = re.compile(r"\b(позже|попозже|later|after that|следующ\w+ врем\w+|друго\w+ врем\w+|"
                    r"не подходит|не устраивает|другие варианты|что нибудь ещ[её]|"
                    r"another time|other times?|something else|doesn t suit|does not suit|"
                    r"doesn t work|none of (?:them|these))\b")
_OTHER_DAY = re.compile(r"\b(друг\w+ (день|дату|число)|another (day|date)|different (day|date)|"
                        r"other day|не в этот день|not (?:that|this) day)\b")
_ORDINAL = re.compile(r"^(?:[^\d]*\s)?([1-3])(?:\s[^\d]*)?$")
PAGE = 3

Values = dict[str, Any]
BOOKING_RETRY = Pending("retry", "booking_form")  # yes re-enters the form after a failure
Step = Callable[[CityApi, Tracker, Reply, Values, str], Awaitable[list[EventType] | None]]


def next_slot(values: Values) -> str | None:
    return next((s for s in ORDER if values.get(s) in (None, "")), None)


def put(values: Values, name: str, value: Any) -> SlotSet:
    values[name] = value
    return SlotSet(name, value)


async def step_specialty(
    client: CityApi, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    code = canonical_specialty(entity(tracker, "specialty")) or canonical_specialty(text)
    return [put(values, "specialty", code)] if code else None


async def step_policy(
    client: CityApi, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    policy = policy_from(text)
    if not policy:
        return None
    read_back_policy(reply, policy, turn_channel(tracker))
    return [put(values, "policy_number", keep_policy(policy))]


async def step_birth(
    client: CityApi, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    policy = held_policy(values.get("policy_number"))  # sealed (actions/vault.py)
    fixed = corrected_policy(text, policy) or policy_from(text)
    if fixed:
        read_back_policy(reply, fixed, turn_channel(tracker))
        return [put(values, "policy_number", keep_policy(fixed))]
    birth = birth_from(text, reply.lang)
    if not birth:
        return None
    if policy is None:  # no longer readable (too old): the policy is asked again
        return [put(values, "policy_number", None)]
    set_caller(tracker.sender_id)  # the city's limits are per conversation (signed X-Caller)
    try:
        result = await identify(client, reply, policy, birth)
    except (Unavailable, RateLimited) as error:
        return _down(reply, error, values)
    for event in result.events:
        values[event["name"]] = event["value"]
    return result.events


def _down(reply: Reply, error: Unavailable | RateLimited, values: Values) -> list[EventType]:
    events = service_error(reply, error, "health", BOOKING_RETRY)
    values["_stop"] = True
    return events


async def step_date(
    client: CityApi, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    wanted = parse_date(text, reply.lang, clock.today())
    if not wanted:
        return None
    return [put(values, "date_pref", wanted.isoformat()), put(values, "offered_slots", None)]


async def fetch_slots(
    client: CityApi, specialty: str, day: str, after: str | None = None,
    pref: dict[str, str] | None = None, before: str | None = None,
) -> list[dict[str, Any]]:
    """The nearest free slots from `day` on (a week ahead), after `after` / before `before` when
    given. With a time preference (`time_pref`): only slots in its window (when there are any),
    and on the first day with free time the ones nearest its clock time first."""
    start = date.fromisoformat(day)
    slots: list[TimeSlot] = await client.slots(
        specialty, start.isoformat(), (start + timedelta(days=7)).isoformat(), limit=60
    )
    picked: list[TimeSlot] = []
    for slot in slots:  # one per start time: "в 10 30" is unambiguous
        if slot.status != "free" or (after is not None and slot.start <= after) or (
                before is not None and slot.start >= before):
            continue
        if all(p.start != slot.start for p in picked):
            picked.append(slot)
    if before is not None:
        picked = picked[-PAGE:]
    return [s.model_dump(by_alias=False) for s in _preferred(picked, pref)[:PAGE]]


def _minutes(slot: TimeSlot) -> int:
    moment = datetime.fromisoformat(slot.start)
    return moment.hour * 60 + moment.minute


def _hhmm(value: str) -> int:
    hour, minute = value.split(":")
    return int(hour) * 60 + int(minute)


def _preferred(slots: list[TimeSlot], pref: dict[str, str] | None) -> list[TimeSlot]:
    if not pref or not slots:
        return slots
    if "start" in pref and "end" in pref:
        inside = [s for s in slots if _hhmm(pref["start"]) <= _minutes(s) < _hhmm(pref["end"])]
        slots = inside or slots
    if "clock" in pref:
        first_day = slots[0].start[:10]
        wanted = _hhmm(pref["clock"])
        same = sorted((s for s in slots if s.start[:10] == first_day),
                      key=lambda s: (abs(_minutes(s) - wanted), s.start))
        slots = same + [s for s in slots if s.start[:10] != first_day]
    return slots


def _shift(text: str, lang: str) -> str | None:
    """"later" ("позже", "не подходит", "something else") or "earlier" ("пораньше")."""
    if _LATER.search(text):
        return "later"
    return parse_time_request(text, lang).shift


def _wanted_clock(values: Values, text: str, lang: str) -> tuple[ClockTime | None, bool]:
    """(the clock time asked for, not a negated one; whether any clock time was said)."""
    details = values.get("_details")
    if details is not None:
        return details.clock, details.clock is not None or details.not_clock is not None
    wanted = parse_time_request(text, lang).clock
    return wanted, wanted is not None


def _at(wanted: ClockTime | None, offered: list[dict[str, Any]]) -> dict[str, Any] | None:
    if wanted is None:
        return None
    for slot in offered:
        moment = datetime.fromisoformat(str(slot["start"]))
        if (moment.hour, moment.minute) == (wanted.hour, wanted.minute):
            return slot
    return None


async def step_choice(
    client: CityApi, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    offered: list[dict[str, Any]] = list(values.get("offered_slots") or [])
    if _OTHER_DAY.search(text):
        return [put(values, "date_pref", None), put(values, "offered_slots", None)]
    shift = _shift(text, reply.lang)
    if shift and offered:
        return await _move(client, reply, values, offered, shift)
    wanted, said_clock = _wanted_clock(values, text, reply.lang)
    chosen = _at(wanted, offered)
    # "третий" / "3" is an option number; "в 3 часа" is a clock time, never option 3
    ordinal = None if said_clock else _ORDINAL.match(text.strip())
    if chosen is None and ordinal and int(ordinal.group(1)) <= len(offered):
        chosen = offered[int(ordinal.group(1)) - 1]
    if chosen is None and wanted is not None and offered:
        return await _from_time(client, reply, values, wanted, offered)
    if chosen is None:
        return None
    return [put(values, "slot_choice", str(chosen["id"])), SlotSet("confirm", None)]


async def _move(client: CityApi, reply: Reply, values: Values, offered: list[dict[str, Any]],
                shift: str) -> list[EventType] | None:
    """"Later" / "не подходит": the next free times after the offered ones; "earlier": the ones
    before them. Nothing later: another day is asked; nothing earlier: the same offer."""
    starts = sorted(str(s["start"]) for s in offered)
    pref = {k: v for k, v in (values.get("time_pref") or {}).items() if k != "clock"}
    try:
        found = await fetch_slots(client, str(values["specialty"]), str(values["date_pref"]),
                                  after=starts[-1] if shift == "later" else None,
                                  before=starts[0] if shift == "earlier" else None,
                                  pref=pref or None)
    except (Unavailable, RateLimited) as error:
        return _down(reply, error, values)
    moved = [put(values, "slot_choice", None), put(values, "confirm", None)]
    if found:
        return [*moved, put(values, "offered_slots", found)]
    if shift == "earlier":
        reply.say("no_earlier")
        return [*moved, put(values, "offered_slots", offered)]
    return [*moved, put(values, "date_pref", None), put(values, "offered_slots", None)]


async def _from_time(client: CityApi, reply: Reply, values: Values, wanted: ClockTime,
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
    client: CityApi, tracker: Tracker, reply: Reply, values: Values, text: str
) -> list[EventType] | None:
    """Only a clear yes books; junk, silence, emoji or an unrelated turn is asked again."""
    offered: list[dict[str, Any]] = list(values.get("offered_slots") or [])
    if _OTHER_DAY.search(text):
        return [put(values, "slot_choice", None), put(values, "confirm", None),
                put(values, "date_pref", None), put(values, "offered_slots", None)]
    shift = _shift(text, reply.lang)
    if shift and offered:
        return await _move(client, reply, values, offered, shift)
    answer = yes_no(text)
    if answer is False:
        return [put(values, "slot_choice", None), put(values, "confirm", None)]
    if answer is not True:
        return None
    token = held_token(tracker.get_slot("patient_token"))
    if token is None:  # no longer readable (too old): the caller identifies again
        return [put(values, "policy_number", None), put(values, "birth_date", None),
                SlotSet("patient_token", None)]
    try:
        appointment = await client.book(token, str(values["slot_choice"]), mutation_key(
            tracker, "book", values["slot_choice"]))
    except (AlreadyBooked, VisitOverlaps, SlotInPast) as refused:
        return _rule_refused(reply, values, refused)
    except Conflict as conflict:
        reply.say("slot_taken")
        alts = [s.model_dump() for s in conflict.alternatives if s.status == "free"][:PAGE]
        logger.info("booking: slot taken, %d alternatives", len(alts))
        return [put(values, "slot_choice", None), put(values, "offered_slots", alts or None),
                put(values, "confirm", None)]
    except (Unavailable, RateLimited) as error:
        return _down(reply, error, values)
    chosen = _chosen(values)
    what = {"specialty": specialty_name(values.get("specialty"), reply.lang),
            "when": when_text(appointment.start, reply.lang),
            "clinic": clinic_name(appointment, reply.lang)}
    reply.say("booked", **what, reference=appointment.reference)
    # for screens (the kiosk's confirmation card with a QR code of the reference)
    reply.custom({"event": "confirmation", "kind": "booked",
                  "reference": appointment.reference, **what})
    if chosen is not None:
        reply.display(_details(reply, chosen, appointment.reference))
    logger.info("booking: appointment %s booked", appointment.reference)
    return [put(values, "confirm", True), SlotSet("booking_ref", appointment.reference)]


def mutation_key(tracker: Tracker, *parts: object) -> str:
    """The idempotency key of a booking, cancellation or reschedule: the conversation, what it
    acts on and the turn (a retried or replayed turn repeats it; a later turn is a new one)."""
    turn = (tracker.latest_message or {}).get("message_id") or ""
    return idempotency_key(tracker.sender_id, *parts, turn)


def _rule_refused(reply: Reply, values: Values, refused: Conflict) -> list[EventType]:
    """EMIAS rules said no: one visit per specialty (the caller may reschedule that one), no
    two visits at once, no time in the past (later times are offered)."""
    logger.info("booking refused by the city: %s", refused.code)
    if isinstance(refused, AlreadyBooked):
        reply.say("already_booked_specialty",
                  specialty=specialty_name(values.get("specialty"), reply.lang))
        values["_stop"] = True
        return [put(values, "confirm", None)]
    reply.say("visit_overlaps" if isinstance(refused, VisitOverlaps) else "slot_in_past")
    alts = [s.model_dump() for s in refused.alternatives if s.status == "free"][:PAGE]
    return [put(values, "slot_choice", None), put(values, "confirm", None),
            *([put(values, "offered_slots", alts)] if alts else [])]


def _chosen(values: Values) -> TimeSlot | None:
    for slot in values.get("offered_slots") or []:
        if str(slot["id"]) == str(values.get("slot_choice")):
            return TimeSlot.model_validate(slot)
    return None


def _details(reply: Reply, slot: TimeSlot, reference: str) -> str:
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
