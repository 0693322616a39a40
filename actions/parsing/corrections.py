"""Corrections: "не к неврологу, а к кардиологу", "no, wednesday, not tuesday",
"не во вторник а в среду", "not at three, at four" -> the new value (and the old one).

Looks for values of one kind (specialty, day, clock time) and tells the negated one (after "не",
"not", "вместо", "instead of") from the one offered instead. A single value with a correction cue
("нет, в среду", "actually wednesday", "то есть к лору") is a new value with no old one; a single
negated value ("только не в пятницу", "not on friday") is an old value with no new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from actions.parsing.dates import DayRequest, day_mentions
from actions.parsing.times import ClockTime, clock_mentions, prepare
from spoken.specialty import specialty_mentions

CorrectionValue = str | DayRequest | ClockTime


@dataclass(frozen=True)
class Correction:
    """`kind`: "specialty" (value: the code), "date" (a DayRequest) or "time" (a ClockTime).
    `new`: the value said instead (None when the caller only rejected one); `old`: the value
    negated (None when none was named)."""

    kind: str
    new: CorrectionValue | None
    old: CorrectionValue | None


_NEGATION = re.compile(r"\b(?:не|вместо|not|instead\s+of|rather\s+than|no\s+longer)\b")
# Words that may stand between the negation and the value: "не к", "не надо во", "not on the".
_GAP = re.compile(
    r"^(?:\s+(?:к|ко|в|во|на|с|со|у|за|по|надо|нужно|хочу|хотел\w*|записыва\w*|запиши\w*|"
    r"а|the|to|a|an|at|on|for|with|see|book|want|need|it|is|that|this|до|около|about|around))*"
    r"\s*$"
)
_CUE = re.compile(
    r"\b(?:нет|не|то\s+есть|вернее|точнее|имел\w*\s+в\s+виду|ой|извините|простите|лучше|"
    r"поменя\w*|измени\w*|перенес\w*|переправ\w*|исправ\w*|наоборот|no|nope|actually|i\s+mean|"
    r"i\s+meant|sorry|rather|instead|make\s+it|change\s+(?:it\s+)?to|switch\s+to|correction|"
    r"wait|oops|not)\b"
)

Mention = tuple[int, int, CorrectionValue]


def _negated(low: str, start: int) -> bool:
    return any(_GAP.match(low[m.end():start]) for m in _NEGATION.finditer(low[:start]))


_BARE_OLD_DAY = re.compile(r"\b(?:не|not)\s+(?:на\s+|the\s+|on\s+the\s+)?(\d{1,2})\b"
                           r"(?!\s*(?:час|утра|дня|вечера|am|pm|oclock|\d))")


def _old_day(low: str, mentions: list[Mention]) -> DayRequest | None:
    """"не двадцатого, а двадцать пятого ноября": the negated bare day takes the new month."""
    match = _BARE_OLD_DAY.search(low)
    after = [m[2] for m in mentions if m[0] > (match.end() if match else len(low))]
    if match is None or not after or not isinstance(after[0], DayRequest):
        return None
    try:
        return DayRequest(after[0].day.replace(day=int(match.group(1))), kind="date")
    except ValueError:
        return None


def _pick(low: str, kind: str, mentions: list[Mention]) -> Correction | None:
    negated = [m for m in mentions if _negated(low, m[0])]
    others = [m for m in mentions if m not in negated]
    old = negated[0][2] if negated else (_old_day(low, mentions) if kind == "date" else None)
    new = next((m[2] for m in others if m[2] != old), None)
    if new is None and old is None:
        return None
    if old is None and not _CUE.search(low):
        return None  # a value said plainly is not a correction
    return Correction(kind, new, old)


def _times(low: str, lang: str) -> list[Mention]:
    """Clock times; "на десять" counts when two are said ("не на десять, а на одиннадцать")."""
    mentions = clock_mentions(low, lang)
    if len(mentions) >= 2:
        return [(m.start, m.end, m.time) for m in mentions]
    return [(m.start, m.end, m.time) for m in mentions if m.time.explicit]


def parse_correction(text: str, lang: str, today: date) -> Correction | None:
    """The correction in `text` (raw Vosk words or normalized), or None. Specialty first, then
    the day, then the time: "не в пятницу а в субботу в три" corrects the day.

    "не к неврологу, а к кардиологу" -> Correction("specialty", "cardiologist", "neurologist");
    "no, wednesday, not tuesday" -> Correction("date", <Wednesday>, <Tuesday>);
    "не в три а в четыре" -> Correction("time", 16:00, 15:00);
    "нет, в среду" -> Correction("date", <Wednesday>, None);
    "только не в пятницу" -> Correction("date", None, <Friday>).
    """
    lang = lang if lang in ("ru", "en") else "ru"
    low = prepare(text, lang)
    kinds: list[tuple[str, list[Mention]]] = [
        ("specialty", [(s, e, code) for s, e, code in specialty_mentions(low)]),
        ("date", [(s, e, day) for s, e, day in day_mentions(low, lang, today)]),
        ("time", _times(low, lang)),
    ]
    for kind, mentions in kinds:
        if mentions:
            found = _pick(low, kind, mentions)
            if found is not None:
                return found
    return None
