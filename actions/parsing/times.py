"""Spoken clock times (after normalize) -> (hour, minute).

Handles "в 10 30", "в 10", "в половине 11", "без 15 2", "в 9 утра", "в 3 дня",
"half past 10", "quarter past 10", "quarter to 11", "at 10 30", "10 30 am", "14:00".
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ClockTime:
    hour: int
    minute: int

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


_PM = re.compile(r"\b(pm|вечера|дня|p m)\b")
_AM = re.compile(r"\b(am|утра|a m)\b")
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bв?\s*половин[еау]\s+(\d{1,2})\b"), "half_before"),
    (re.compile(r"\bбез\s+(\d{1,2})\s+(?:минут\s+)?(\d{1,2})\b"), "without"),
    (re.compile(r"\bбез\s+четверти\s+(\d{1,2})\b"), "quarter_before"),
    (re.compile(r"\bчетверть\s+(\d{1,2})\b"), "quarter_ru"),
    (re.compile(r"\bhalf\s+past\s+(\d{1,2})\b"), "half_past"),
    (re.compile(r"\bquarter\s+past\s+(\d{1,2})\b"), "quarter_past"),
    (re.compile(r"\bquarter\s+to\s+(\d{1,2})\b"), "quarter_before"),
    (re.compile(r"\b(\d{1,2})\s+minutes?\s+(?:past|after)\s+(\d{1,2})\b"), "min_past"),
    (re.compile(r"\b(\d{1,2})\s+minutes?\s+to\s+(\d{1,2})\b"), "min_to"),
    (re.compile(r"\b(\d{1,2})[:.](\d{2})\b"), "hm"),
    (re.compile(r"(?:\b(?:в|на|at|for|около|about|к)\s+)(\d{1,2})\s+(\d{2})\b"), "hm"),
    (re.compile(r"(?:\b(?:в|на|at|for|около|about|к)\s+)(\d{1,2})(?:\s+час\w*)?\b"), "h"),
    (re.compile(r"^(\d{1,2})\s+(\d{2})$"), "hm"),
    (re.compile(r"\b(\d{1,2})\s+(?:час\w*|o clock|oclock)\b"), "h"),
    (re.compile(r"\b(\d{1,2})\s+(?:am|pm|утра|вечера|дня)\b"), "h"),
]


def _build(kind: str, a: int, b: int | None) -> tuple[int, int] | None:
    result: tuple[int, int] | None
    if kind == "half_before":
        result = ((a - 1) % 24, 30)
    elif kind == "quarter_before":
        result = ((a - 1) % 24, 45)
    elif kind == "quarter_ru":
        result = ((a - 1) % 24, 15)
    elif kind == "without" and b is not None:
        result = ((b - 1) % 24, 60 - a) if 0 < a < 60 else None
    elif kind == "half_past":
        result = (a, 30)
    elif kind == "quarter_past":
        result = (a, 15)
    elif kind == "min_past" and b is not None:
        result = (b, a)
    elif kind == "min_to" and b is not None:
        result = ((b - 1) % 24, 60 - a) if 0 < a < 60 else None
    elif kind == "hm" and b is not None:
        result = (a, b)
    else:
        result = (a, 0)
    if result is None or not (0 <= result[0] <= 23 and 0 <= result[1] <= 59):
        return None
    return result


def parse_time(text: str) -> ClockTime | None:
    """The first clock time in `text`, or None. Daytime is assumed for bare hours 1..7."""
    low = text.lower()
    for pattern, kind in _PATTERNS:
        match = pattern.search(low)
        if not match:
            continue
        groups = [int(g) for g in match.groups()]
        built = _build(kind, groups[0], groups[1] if len(groups) > 1 else None)
        if built is None:
            continue
        hour, minute = built
        if _PM.search(low) and hour < 12:
            hour += 12
        elif not _AM.search(low) and 1 <= hour <= 7:
            hour += 12  # clinics and buses: "в 3" means 15:00
        return ClockTime(hour, minute)
    return None
