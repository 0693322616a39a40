"""Every detail a booking turn carries, read before the asked slot's step, in every state.

"запишите меня к лору на четверг после обеда" fills the specialty, the day and the time window at
once; "ой, не к неврологу, а к кардиологу" said while the policy is asked replaces the specialty
and says so; a negated value ("не к терапевту", "not tuesday") is never used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from rasa_sdk.events import EventType, SlotSet

from actions.base import Reply
from actions.messages_booking import MONTHS, WEEKDAYS
from actions.messages_repair import SPECIALTY_TO, WEEKDAYS_ON, WINDOW_NAMES
from actions.parsing import (
    ClockTime,
    DayPart,
    DayRequest,
    clock_mentions,
    day_mentions,
    parse_day,
    parse_day_part,
)
from actions.parsing.times import prepare
from actions.patient import birth_from, policy_from
from spoken.specialty import specialty_mentions

Values = dict[str, Any]
_NEGATION = re.compile(r"\b(?:не|not|вместо|instead\s+of|rather\s+than)\b")
_GAP = re.compile(r"^(?:\s*\b(?:к|ко|в|во|на|с|со|у|по|надо|нужно|хочу|the|to|a|an|at|on|for|"
                  r"with|it|is|that|this|about|around|около)\b)*\s*$")
_NEGATED_WINDOW = re.compile(r"\b(?:не|not)\s+(?:в\s+|in\s+the\s+)?(?:утром|утро|вечером|днём|"
                             r"днем|после\s+обеда|morning|evening|afternoon)\b")
# which detail answers which form slot
SLOT_KIND = {"specialty": "specialty", "date_pref": "day"}


@dataclass
class Details:
    """What one turn said. `not_*`: a value the caller rejected."""

    specialty: str | None = None
    not_specialty: str | None = None
    day: DayRequest | None = None
    not_day: DayRequest | None = None
    clock: ClockTime | None = None
    not_clock: ClockTime | None = None
    window: DayPart | None = None


def _negated(low: str, start: int) -> bool:
    return any(_GAP.match(low[m.end():start]) for m in _NEGATION.finditer(low[:start]))


def _split(low: str, found: list[tuple[int, Any]]) -> tuple[Any, Any]:
    """(the last value said plainly, the first value negated)."""
    kept = [v for s, v in found if not _negated(low, s)]
    rejected = [v for s, v in found if _negated(low, s)]
    return (kept[-1] if kept else None), (rejected[0] if rejected else None)


_DATE_WORD = re.compile(
    r"(январ|феврал|март|апрел|\bма[йя]\b|июн|июл|август|сентябр|октябр|ноябр|декабр|числ|"
    r"january|february|march|april|\bmay\b|june|july|august|september|october|november|"
    r"december|of the month|\bon the\b)"
)


def _option_pick(low: str) -> bool:
    """One number 1..3 and no word of a date: an option number ("the 1", "вариант 2")."""
    numbers = re.findall(r"\d+", low)
    return numbers in (["1"], ["2"], ["3"]) and not _DATE_WORD.search(low)


def read_details(text: str, lang: str, today: date, requested: str | None) -> Details:
    """Specialty, day, clock time and time window said in `text` (normalised Vosk text). The
    policy and birth-date answers are left to their steps: their digits are no day or time."""
    low = prepare(text, lang)
    details = Details()
    details.specialty, details.not_specialty = _split(
        low, [(s, code) for s, _, code in specialty_mentions(low)])
    own_answer = (requested == "policy_number" and policy_from(text)) or (
        requested == "birth_date" and birth_from(text, lang))
    if own_answer:
        return details
    # "the first one" picks an offer; it is not the first of the month
    if not (requested == "slot_choice" and _option_pick(low)):
        details.day, details.not_day = _split(
            low, [(s, day) for s, _, day in day_mentions(low, lang, today)])
    if details.day is None and details.not_day is None and requested == "date_pref":
        details.day = parse_day(text, lang, today)
    details.clock, details.not_clock = _split(
        low, [(m.start, m.time) for m in clock_mentions(low, lang) if m.time.explicit])
    if not _NEGATED_WINDOW.search(low):
        details.window = parse_day_part(text, lang)
    return details


def time_pref(details: Details) -> dict[str, str] | None:
    """The `time_pref` slot: a clock time to be near, and/or a window to stay in."""
    if details.clock is None and details.window is None:
        return None
    pref: dict[str, str] = {}
    if details.clock is not None:
        pref["clock"] = str(details.clock)
    if details.window is not None:
        pref.update(name=details.window.name, start=str(details.window.start),
                    end=str(details.window.end))
    return pref


def day_text(day: date, lang: str) -> str:
    if lang == "ru":
        return f"{WEEKDAYS_ON[day.weekday()]}, {day.day} {MONTHS['ru'][day.month - 1]}"
    return f"{WEEKDAYS['en'][day.weekday()]}, {MONTHS['en'][day.month - 1]} {day.day}"


def time_pref_text(pref: dict[str, str], lang: str) -> str:
    name = pref.get("name") or "clock"
    return WINDOW_NAMES[name][lang].format(start=pref.get("start", ""), end=pref.get("end", ""),
                                           clock=pref.get("clock", ""))


def _put(values: Values, name: str, value: Any) -> SlotSet:
    values[name] = value
    return SlotSet(name, value)


def _new_offer(values: Values) -> list[EventType]:
    """A changed detail: the offered times and the choice made from them no longer hold."""
    return [_put(values, "offered_slots", None), _put(values, "slot_choice", None),
            _put(values, "confirm", None)]


def apply_details(details: Details, values: Values, reply: Reply,
                  requested: str | None) -> list[EventType]:
    """The form's slots updated from `details`; each change of an earlier answer is said back."""
    events: list[EventType] = []
    current = values.get("specialty")
    if details.specialty and details.specialty != current:
        if current and requested != "specialty":
            reply.say("changed_specialty", specialty=SPECIALTY_TO[details.specialty][reply.lang])
        events += [_put(values, "specialty", details.specialty), *_new_offer(values)]
    elif details.not_specialty and details.not_specialty == current:
        events += [_put(values, "specialty", None), *_new_offer(values)]
    events += _apply_day(details, values, reply, requested)
    events += _apply_time(details, values, reply, requested)
    return events


def _apply_day(details: Details, values: Values, reply: Reply,
               requested: str | None) -> list[EventType]:
    current = values.get("date_pref")
    if details.day is not None and details.day.past:
        reply.say("day_past")
        return [_put(values, "date_pref", None), *_new_offer(values)] if current else []
    if details.day is not None and details.day.day.isoformat() != current:
        if current and requested not in ("date_pref", None):
            reply.say("changed_day", day=day_text(details.day.day, reply.lang))
        return [_put(values, "date_pref", details.day.day.isoformat()), *_new_offer(values)]
    if details.not_day is not None and details.not_day.day.isoformat() == current:
        return [_put(values, "date_pref", None), *_new_offer(values)]
    return []


def _apply_time(details: Details, values: Values, reply: Reply,
                requested: str | None) -> list[EventType]:
    if requested == "slot_choice" and details.window is None:
        return []  # a clock time here picks among the offered times (the step's job)
    pref = time_pref(details)
    current = values.get("time_pref")
    if pref is None or pref == current:
        return []
    if requested in ("slot_choice", "confirm") or current:
        reply.say("changed_time", time=time_pref_text(pref, reply.lang))
    return [_put(values, "time_pref", pref), *_new_offer(values)]
