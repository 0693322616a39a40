"""Parsing of Vosk-style text: numbers, dates, times, specialties. Pure functions."""

from __future__ import annotations

from actions.parsing.dates import parse_birth_date, parse_date
from actions.parsing.times import ClockTime, parse_time
from spoken.normalize import normalize
from spoken.numbers import digits_only
from spoken.specialty import canonical_specialty

__all__ = [
    "ClockTime",
    "canonical_specialty",
    "digits_only",
    "normalize",
    "parse_birth_date",
    "parse_date",
    "parse_time",
]
