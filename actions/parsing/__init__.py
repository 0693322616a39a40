"""Parsing of Vosk-style text: numbers, dates, times, specialties, corrections. Pure functions."""

from __future__ import annotations

from actions.parsing.corrections import Correction, parse_correction
from actions.parsing.dates import DayRequest, day_mentions, parse_birth_date, parse_date, parse_day
from actions.parsing.times import (
    AFTERNOON,
    EVENING,
    MIDDAY,
    MORNING,
    ClockTime,
    DayPart,
    TimeRequest,
    clock_mentions,
    parse_clock,
    parse_day_part,
    parse_time,
    parse_time_request,
)
from spoken.normalize import normalize
from spoken.numbers import digits_only
from spoken.repair import is_change_of_mind
from spoken.slots import route_number, said_in_pairs
from spoken.specialty import canonical_specialty

__all__ = [
    "AFTERNOON",
    "EVENING",
    "MIDDAY",
    "MORNING",
    "ClockTime",
    "Correction",
    "DayPart",
    "DayRequest",
    "TimeRequest",
    "canonical_specialty",
    "clock_mentions",
    "day_mentions",
    "digits_only",
    "is_change_of_mind",
    "normalize",
    "parse_birth_date",
    "parse_clock",
    "parse_correction",
    "parse_date",
    "parse_day",
    "parse_day_part",
    "parse_time",
    "parse_time_request",
    "route_number",
    "said_in_pairs",
]
