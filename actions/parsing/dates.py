"""Spoken dates (after normalize) -> datetime.date, with dateparser and a thin layer on top."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import dateparser

_RELATIVE: dict[str, int] = {
    "сегодня": 0, "today": 0, "послезавтра": 2, "day after tomorrow": 2, "завтра": 1,
    "tomorrow": 1,
}
_NEXT_WEEK = re.compile(r"\b(на следующей неделе|следующ\w+ недел\w+|next week)\b")
_DAY_ONLY = re.compile(r"^(?:на\s+|on\s+(?:the\s+)?)?(\d{1,2})(?:\s+(?:число|числа|th|st|nd|rd))?$")
_FILLER = re.compile(
    r"\b(давайте|давай|пожалуйста|please|можно|хочу|на|в|во|к|ко|on|for|the|at|of|"
    r"дату|date|день|day|число|числа|года|год|year|родился|родилась|рождения|born|i was|"
    r"was|дата|my|birth|мой|моя)\b"
)
_COMPACT = re.compile(r"\b(\d{8})\b")
_COMPACT_SHORT = re.compile(r"^(\d{2})(\d{2})(\d{2})$")  # DDMMYY, said as "один четыре ноль три..."
# a two-digit year after the day and the month: "14 марта 85", "14 03 85", "march 14 85"
_SHORT_YEAR = re.compile(
    r"^(\d{1,2}\s+(?:\d{1,2}|[a-zа-яё]+)|[a-z]+\s+\d{1,2})\s+(\d{2})$"
)
_CLOCK_TAIL = re.compile(r"\b(в|at)\s+\d{1,2}(\s+\d{2})?\b.*$")


def _settings(today: date, prefer: str) -> dict[str, object]:
    base = datetime(today.year, today.month, today.day, 12, 0)
    return {"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer, "DATE_ORDER": "DMY"}


def parse_date(text: str, lang: str, today: date | None = None) -> date | None:
    """A date preference ("завтра", "в пятницу", "25 ноября", "next monday"); never in the past."""
    today = today or date.today()
    low = " ".join(text.lower().split())
    for phrase, days in _RELATIVE.items():
        if re.search(rf"\b{phrase}\b", low):
            return today + timedelta(days=days)
    if _NEXT_WEEK.search(low):
        return today + timedelta(days=7 - today.weekday())
    day_only = _DAY_ONLY.match(low)
    if day_only:
        return _next_day_of_month(int(day_only.group(1)), today)
    cleaned = _CLOCK_TAIL.sub("", low)
    cleaned = " ".join(_FILLER.sub(" ", cleaned).split())
    if not cleaned or not re.search(r"[a-zа-я]|\d", cleaned):
        return None
    langs = [lang, "en"] if lang != "en" else ["en"]
    found = dateparser.parse(cleaned, languages=langs, settings=_settings(today, "future"))
    if found is None:
        return None
    result = found.date()
    if result < today:
        result = _shift_year(result, 1) or result
    elif not re.search(r"\b(19|20)\d{2}\b", cleaned):
        earlier = _shift_year(result, -1)
        if earlier is not None and earlier >= today:
            result = earlier
    return result


def _shift_year(value: date, years: int) -> date | None:
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return None


def _next_day_of_month(day: int, today: date) -> date | None:
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate and candidate >= today:
            return candidate
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return None


def parse_birth_date(text: str, lang: str, today: date | None = None) -> date | None:
    """A birth date: "14 марта 1985", "14031985", "march 14 1985", "1985 03 14", and with a
    two-digit year ("14 марта 85", "140385"), which is never in the future."""
    today = today or date.today()
    low = " ".join(text.lower().split())
    compact = _COMPACT.search(low)
    if compact:
        return _from_compact(compact.group(1), today)
    iso = re.search(r"\b(\d{4})\s+(\d{1,2})\s+(\d{1,2})\b", low)
    if iso:
        return _safe_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)), today)
    cleaned = " ".join(_FILLER.sub(" ", low).split())
    short = _COMPACT_SHORT.match(cleaned)
    if short:
        day, month, year = (int(g) for g in short.groups())
        return _safe_date(_century(year, today), month, day, today)
    cleaned = _SHORT_YEAR.sub(lambda m: f"{m.group(1)} {_century(int(m.group(2)), today)}", cleaned)
    if not re.search(r"\b(19|20)\d{2}\b", cleaned):
        return None  # a birth date needs its year
    cleaned = re.sub(r"^(\d{1,2}) (\d{1,2}) (\d{4})$", r"\1.\2.\3", cleaned)
    langs = [lang, "en"] if lang != "en" else ["en"]
    found = dateparser.parse(cleaned, languages=langs, settings=_settings(today, "past"))
    if found is None or found.date() >= today:
        return None
    return found.date()


def _century(year: int, today: date) -> int:
    """A two-digit birth year: this century unless that would be in the future."""
    return 2000 + year if 2000 + year <= today.year else 1900 + year


def _from_compact(digits: str, today: date) -> date | None:
    first = _safe_date(int(digits[4:]), int(digits[2:4]), int(digits[:2]), today)
    return first or _safe_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), today)


def _safe_date(year: int, month: int, day: int, today: date) -> date | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return value if date(1900, 1, 1) <= value < today else None
