"""Spoken clock times -> ClockTime; parts of the day -> DayPart; "later"/"earlier".

Takes the raw Vosk words or the text normalize() made of them (the gateway normalises every
turn, so the action server sees "в половине 11", "без 15 2", "at 3 pm", "в 1500").

Russian: "в три часа дня", "в половине одиннадцатого", "полдесятого", "без четверти двенадцать",
"без пятнадцати два", "четверть третьего", "десять минут одиннадцатого", "в десять утра",
"в 10 30", "в час", "полдень", "часа в три" (about three).
English: "at a quarter past two", "half past ten", "half ten", "quarter to nine", "ten to four",
"at eleven", "at 3 pm", "eleven thirty", "ten oh five", "noon", "at nine in the morning".

A bare hour without a part of the day is daytime: 1..7 mean 13:00..19:00 (clinics, buses).
A bare number ("3", "три") is returned by parse_clock() with explicit=False, so the dialogue can
read it as option three when options were offered; parse_time() ignores it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spoken.normalize import normalize
from spoken.numbers import ru_ordinal_value


@dataclass(frozen=True)
class ClockTime:
    """A time of day. `explicit`: said as a clock time ("в три часа", "at 3 pm", "10 30"), not a
    bare number ("3"). `approximate`: "около трёх", "часа в три", "around 3". Equality and str
    look at the hour and minute only."""

    hour: int
    minute: int
    explicit: bool = field(default=True, compare=False)
    approximate: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    @property
    def minutes(self) -> int:
        return self.hour * 60 + self.minute


@dataclass(frozen=True)
class DayPart:
    """A window of the day: "утром" (morning), "после обеда" (afternoon), "вечером" (evening),
    "в обед" (midday), or bounds said with a clock time: "после трёх" (after), "до двенадцати"
    (before), "с десяти до двух" (between). `start` is inclusive, `end` exclusive."""

    name: str
    start: ClockTime
    end: ClockTime

    def contains(self, hour: int, minute: int = 0) -> bool:
        return self.start.minutes <= hour * 60 + minute < self.end.minutes


MORNING = DayPart("morning", ClockTime(8, 0), ClockTime(12, 0))
MIDDAY = DayPart("midday", ClockTime(12, 0), ClockTime(14, 0))
AFTERNOON = DayPart("afternoon", ClockTime(13, 0), ClockTime(17, 0))  # after lunch, not noon
EVENING = DayPart("evening", ClockTime(17, 0), ClockTime(21, 0))
_DAY_START = ClockTime(8, 0)
_DAY_END = ClockTime(21, 0)


@dataclass(frozen=True)
class TimeRequest:
    """What the caller said about the time of day: a clock time, a window, or a shift
    relative to what was offered ("later", "earlier"). Any of them may be missing."""

    clock: ClockTime | None = None
    window: DayPart | None = None
    shift: str | None = None  # "later" | "earlier"

    def __bool__(self) -> bool:
        return self.clock is not None or self.window is not None or self.shift is not None


@dataclass(frozen=True)
class ClockMention:
    """One clock time found in normalized text, with where it was said."""

    start: int
    end: int
    time: ClockTime


def _lang(text: str, lang: str | None) -> str:
    if lang in ("ru", "en"):
        return lang
    return "ru" if re.search(r"[а-яё]", text.lower()) else "en"


_POL_JOINED = re.compile(r"\bпол(?:-|\s)?([а-яё]+ого)\b")  # "полдесятого", "пол-второго"
_RU_HOUR_WORD = re.compile(
    r"(?:(?<=\bв )|(?<=\bк )|(?<=\bоколо )|(?<=\bпосле )|(?<=\bдо )|(?<=\bс )|(?<=\bчетверти )|"
    r"(?<=\bминут )|(?<=\bпримерно )|(?<=\bрайоне )|(?<=\bбез \d )|(?<=\bбез \d\d ))"
    r"час(у|а)?\b(?!\s+(?:\d(?!\d)|назад|ровно\s+\d))"
)
_RU_HOUR_WORD_TAIL = re.compile(r"\bчас\s+(дня|ночи)\b")
_RU_ORDINAL_HOUR = re.compile(r"\b(половин[аеуы]|пол|четверть|минут\w*)\s+([а-яё]+ого)\b")


def prepare(text: str, lang: str | None = None) -> str:
    """normalize() plus the time words it leaves: "полдесятого" -> "половине 10",
    "в час" -> "в 1 час", "noon" -> "12 00"."""
    lang = _lang(text, lang)
    low = normalize(text, lang)
    if lang == "ru":
        low = _POL_JOINED.sub(lambda m: _pol(m, m.group(1)), low)
        low = _RU_ORDINAL_HOUR.sub(
            lambda m: f"{m.group(1)} {ru_ordinal_value(m.group(2)) or m.group(2)}", low)
        low = _RU_HOUR_WORD_TAIL.sub(r"1 час \1", low)
        low = _RU_HOUR_WORD.sub("1 час", low)
        low = re.sub(r"^час$", "1 час", low)
        low = re.sub(r"\b(?:в\s+)?полдень\b", "в 12 00", low)
        low = re.sub(r"\b(?:в\s+)?полночь\b", "в 0 00 ночи", low)
    else:
        low = re.sub(r"\b(?:at\s+)?(?:12\s+)?(?:noon|midday)\b", "at 12 00", low)
        low = re.sub(r"\b(?:at\s+)?(?:12\s+)?midnight\b", "at 0 00 midnight", low)
        low = re.sub(r"\ba\s+quarter\b", "quarter", low)
        low = re.sub(r"\b(\d{1,2})\s+(?:o\s*clock|oclock)\b", r"\1 oclock", low)
    return low


def _pol(match: re.Match[str], word: str) -> str:
    value = ru_ordinal_value(word)
    return f"половине {value}" if value else match.group(0)


_H = r"(\d{1,2})"
_NOT_DATE = r"(?!\s*(?:числ\w*|th\b|st\b|nd\b|rd\b|of\b|января|февраля|марта|апреля|мая|июня|" \
    r"июля|августа|сентября|октября|ноября|декабря|january|february|march|april|may|june|" \
    r"july|august|september|october|november|december|минут\w*|minutes?\b|дн\w*|days?\b|" \
    r"недел\w*|weeks?\b|раз\w*|человек\w*|people|persons?\b|половин\w*|%))"
_RU_PREP = r"(?:в|во|к|около|примерно|приблизительно|где\s+то|ровно|в\s+районе)"
_EN_PREP = r"(?:at|around|about|by|say|approximately|roughly)"
_APPROX = re.compile(r"\b(?:около|примерно|приблизительно|где\s+то|в\s+районе|around|about|"
                     r"approximately|roughly)\s|\bчас\w*\s+(?:в|к)\s|\bрайоне\s")

# (pattern, kind, explicit). Checked in order; a span taken by one is not read again.
_PATTERNS: list[tuple[re.Pattern[str], str, bool]] = [
    (re.compile(r"\b(?:в\s+)?(?:половин[аеуы]|пол)\s+" + _H + r"\b(?!\s+(?:числ|час))"),
     "half_before", True),
    (re.compile(r"\bбез\s+четверти\s+" + _H + r"\b"), "quarter_before", True),
    (re.compile(r"\bбез\s+(\d{1,2})(?:\s+минут\w*)?\s+" + _H + r"\b"), "without", True),
    (re.compile(r"\b(?:в\s+)?четверть\s+" + _H + r"\b"), "quarter_ru", True),
    (re.compile(_H + r"\s+час\w*\s+(\d{1,2})(?:\s+минут\w*)?\b"), "hm", True),
    (re.compile(r"\b(?:в\s+)?(\d{1,2})\s+минут\w*\s+" + _H + r"\b(?!\s*(?:час|\d))"),
     "min_of", True),
    (re.compile(_H + r"\s+(?:час\w*\s+)?с\s+половиной\b"), "half_after", True),
    (re.compile(r"\bhalf\s+(?:past|after)\s+" + _H + r"\b"), "half_after", True),
    (re.compile(r"\bquarter\s+(?:past|after)\s+" + _H + r"\b"), "quarter_past", True),
    (re.compile(r"\bquarter\s+(?:to|till|til|before|of)\s+" + _H + r"\b"),
     "quarter_before", True),
    (re.compile(r"(?<!from )\b(\d{1,2})(?:\s+minutes?)?\s+(?:past|after)\s+" + _H + r"\b"),
     "min_past", True),
    (re.compile(r"(?<!from )(?<!between )\b(\d{1,2})(?:\s+minutes?)?\s+(?:to|till|before)\s+"
                + _H + r"\b(?!\s*(?:\d|am|pm|a m|p m))"), "min_to", True),
    (re.compile(r"\bhalf\s+" + _H + r"\b"), "half_after", True),
    (re.compile(r"\b(\d{1,2})[:.](\d{2})\b"), "hm", True),
    (re.compile(r"\b" + _H + r"\s+(\d{2})\b" + _NOT_DATE), "hm", True),
    (re.compile(r"(?:^|\b(?:" + _RU_PREP[3:-1] + "|" + _EN_PREP[3:-1] + r"|на|for)\s+)"
                r"(\d{1,2})(\d{2})\b" + _NOT_DATE), "hm", True),
    (re.compile(r"\b" + _H + r"\s+(?:час\w*|oclock)\b"), "h", True),
    (re.compile(r"(?<!через )(?<!за )\b" + _H + r"\s+(?:утра|дня|вечера|ночи|am|pm|a m|p m|"
                r"in the morning|in the afternoon|in the evening|at night|tonight)\b"), "h", True),
    (re.compile(r"\b" + _RU_PREP + r"\s+" + _H + r"\b" + _NOT_DATE), "h", True),
    (re.compile(r"\b" + _EN_PREP + r"\s+" + _H + r"\b" + _NOT_DATE), "h", True),
    (re.compile(r"\b(?:let\s*s\s+(?:do|say|make\s+it)|make\s+it)\s+" + _H + r"\b" + _NOT_DATE),
     "h", True),  # "let's do ten", "make it eleven": a time proposed
    (re.compile(r"\b(?:на|for)\s+" + _H + r"\b" + _NOT_DATE), "h", False),
]
_BARE = re.compile(r"^(?:(?:ну|давайте|давай|можно|пожалуйста|тогда|лучше|please|let s|"
                   r"lets|maybe|how about|ok|okay|well|then)\s+)*" + _H +
                   r"(?:\s+(?:пожалуйста|please|тогда|then))*$")

_AM = re.compile(r"^\s*(?:утра|am|a m|in the morning)\b")
_PM = re.compile(r"^\s*(?:дня|вечера|pm|p m|in the afternoon|in the evening|tonight)\b")
_NIGHT = re.compile(r"^\s*(?:ночи|at night|midnight)\b")
_AM_ANY = re.compile(r"\b(?:утра|утром|с утра|am|a m|in the morning|до обеда|before lunch)\b")
_PM_ANY = re.compile(r"\b(?:дня|вечера|вечером|днем|днём|после обеда|pm|p m|in the afternoon|"
                     r"in the evening|tonight|this evening|after lunch)\b")
_NIGHT_ANY = re.compile(r"\b(?:ночи|ночью|at night)\b")


def _build(kind: str, a: int, b: int | None) -> tuple[int, int, bool] | None:
    """(hour, minute, relative): relative forms count back from the next hour."""
    if kind == "half_before":
        hm, rel = (a - 1, 30), True
    elif kind == "quarter_before":
        hm, rel = (a - 1, 45), True
    elif kind == "quarter_ru":
        hm, rel = (a - 1, 15), True
    elif kind == "min_of" and b is not None:
        hm, rel = (b - 1, a), True
    elif kind in ("without", "min_to") and b is not None:
        if not 0 < a <= 30:
            return None
        hm, rel = (b - 1, 60 - a), True
    elif kind == "half_after":
        hm, rel = (a, 30), False
    elif kind == "quarter_past":
        hm, rel = (a, 15), False
    elif kind == "min_past" and b is not None:
        hm, rel = (b, a), False
    elif kind == "hm" and b is not None:
        hm, rel = (a, b), False
    else:
        hm, rel = (a, 0), False
    hour, minute = hm
    if (rel and a in (0, 13)) or not (-1 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return (hour % 24, minute, rel)


def _day_hour(hour: int, relative: bool, after: str, whole: str | None) -> int:
    """The hour of day once the part of the day is known ("3 дня" -> 15, "2 ночи" -> 2)."""
    if _NIGHT.search(after) or (whole is not None and _NIGHT_ANY.search(whole)):
        if hour == 12:
            return 0
        return hour + 12 if 6 <= hour < 12 else hour
    if _AM.search(after) or (whole is not None and _AM_ANY.search(whole)
                             and not _PM.search(after)):
        return 0 if hour == 12 and not relative else hour
    if _PM.search(after) or (whole is not None and _PM_ANY.search(whole)):
        return hour + 12 if 1 <= hour < 12 else (12 if hour == 0 else hour)
    if hour == 0 and relative:
        return 12  # "в половине первого" is 12:30
    return hour + 12 if 1 <= hour <= 7 else hour


_APPROX_WORDS = ("около", "примерно", "приблизительно", "around", "about", "approximately",
                 "roughly")


def _is_approximate(low: str, start: int, said: str) -> bool:
    first = said.split(" ")[0]
    return first in _APPROX_WORDS or bool(_APPROX.search(low[max(0, start - 12):start] + said))


def clock_mentions(text: str, lang: str | None = None) -> list[ClockMention]:
    """Every clock time said in `text`, in order. Spans refer to prepare(text, lang)."""
    low = prepare(text, lang)
    # (start, end, hour, minute, relative, explicit, approximate)
    found: list[tuple[int, int, int, int, bool, bool, bool]] = []
    for pattern, kind, explicit in _PATTERNS:
        for match in pattern.finditer(low):
            start, end = match.span()
            if any(start < f[1] and f[0] < end for f in found):
                continue
            groups = [int(g) for g in match.groups()]
            built = _build(kind, groups[0], groups[1] if len(groups) > 1 else None)
            if built is None:
                continue
            hour, minute, relative = built
            found.append((start, end, hour, minute, relative, explicit,
                          _is_approximate(low, start, match.group(0))))
    if not found:
        bare = _BARE.match(low)
        if bare and int(bare.group(1)) <= 23:
            found.append((bare.start(1), bare.end(1), int(bare.group(1)), 0, False, False,
                          False))
    found.sort()
    mentions: list[ClockMention] = []
    for start, end, hour, minute, relative, explicit, approximate in found:
        whole = low if len(found) == 1 else None
        hour = _day_hour(hour, relative, low[end:end + 24], whole)
        mentions.append(ClockMention(start, end, ClockTime(hour, minute, explicit, approximate)))
    return mentions


def parse_clock(text: str, lang: str | None = None) -> ClockTime | None:
    """The first clock time in `text`, explicit or a bare number ("3" -> 15:00, explicit=False)."""
    mentions = clock_mentions(text, lang)
    return mentions[0].time if mentions else None


def parse_time(text: str, lang: str | None = None) -> ClockTime | None:
    """The first clock time said as one ("в 10 30", "в 3 часа дня", "half past 10"), or None.
    A bare number ("3") is not a time here: it may be an option number."""
    for mention in clock_mentions(text, lang):
        if mention.time.explicit:
            return mention.time
    return None


_WINDOWS: list[tuple[re.Pattern[str], DayPart]] = [
    (re.compile(r"\b(?:в\s+)?обед\b(?!\w)|\bобеденн\w+\s+(?:время|перерыв)\b|"
                r"\b(?:в\s+районе|около)\s+обеда\b|\blunch\s*time\b|"
                r"\bat\s+lunch\b|\baround\s+(?:noon|midday)\b|\bоколо\s+полудня\b"), MIDDAY),
    (re.compile(r"\b(?:после\s+обеда|после\s+полудня|дн[её]м|во\s+второй\s+половине\s+дня|"
                r"в\s+середине\s+дня|во\s+(?:второй|2)\s+половине\s+дня|in\s+the\s+afternoon|afternoons?|after\s+lunch|"
                r"after\s+(?:noon|midday)|early\s+afternoon|late\s+afternoon)\b"), AFTERNOON),
    (re.compile(r"\b(?:утр(?:ом|о)|утречком|с\s+утра|пораньше\s+утром|до\s+обеда|до\s+полудня|"
                r"в\s+(?:первой|1)\s+половине\s+дня|in\s+the\s+morning|mornings?|before\s+lunch|"
                r"before\s+(?:noon|midday))\b"), MORNING),
    (re.compile(r"\b(?:вечер(?:ом)?|вечерком|ближе\s+к\s+вечеру|под\s+вечер|после\s+работы|"
                r"in\s+the\s+evening|evenings?|tonight|after\s+work)\b"), EVENING),
]
_RU_AFTER = r"(?:после|не\s+раньше|(?<!не\s)позже|(?<!не\s)позднее|начиная\s+с)"
_EN_AFTER = r"(?:after|not\s+before|(?<!not\s)(?<!no\s)later\s+than|no\s+earlier\s+than|from)"
_RU_BEFORE = r"(?:до|не\s+позже|не\s+позднее|(?<!не\s)раньше)"
_EN_BEFORE = r"(?:before|not\s+later\s+than|no\s+later\s+than|earlier\s+than|until|till|by)"
_RANGE = re.compile(r"\b(?:с|from|between)\s+(.{1,30}?)\s+(?:до|to|and|till|until)\s+(.{1,30})$")
_AFTER = re.compile(rf"(?<!quarter )(?<!half )(?<!minutes )(?<!minute )(?<!\d )\b"
                    rf"(?:{_RU_AFTER}|{_EN_AFTER})\s+(\S.*)$")
_BEFORE = re.compile(rf"(?<!quarter )(?<!minutes )(?<!minute )(?<!\d )\b"
                     rf"(?:{_RU_BEFORE}|{_EN_BEFORE})\s+(\S.*)$")
_LATER = re.compile(r"\b(?:попозже|попозднее|позже|позднее|later|a\s+bit\s+later|"
                    r"что\s+нибудь\s+позже)\b(?!\s+(?:than|\d|чем))")
_EARLIER = re.compile(r"\b(?:пораньше|раньше|ранее|earlier|sooner)\b(?!\s+(?:than|\d|чем))")


def _bound(phrase: str, lang: str) -> ClockTime | None:
    """The clock time that starts `phrase` ("3 часов" -> 15:00, "12" -> 12:00); "after lunch
    at 2" is no bound: the clock time does not start it."""
    words = phrase.split()[:4]
    lead = "в " if lang == "ru" else "at "
    for n in range(len(words), 0, -1):
        found = clock_mentions(lead + " ".join(words[:n]), lang)
        if found and found[0].start <= len(lead):
            return found[0].time
    return None


def parse_day_part(text: str, lang: str | None = None) -> DayPart | None:
    """A window of the day: "утром" -> MORNING, "после обеда" / "in the afternoon" ->
    AFTERNOON, "вечером" -> EVENING, "в обед" -> MIDDAY; "после трёх" / "after 3" ->
    DayPart("after", 15:00, 21:00); "до двенадцати" -> DayPart("before", 08:00, 12:00);
    "с десяти до двух" / "between 10 and 2" -> DayPart("between", 10:00, 14:00)."""
    lang = _lang(text, lang)
    low = prepare(text, lang)
    ranged = _RANGE.search(low)
    if ranged:
        start, end = _bound(ranged.group(1), lang), _bound(ranged.group(2), lang)
        if start is not None and end is not None and start.minutes < end.minutes:
            return DayPart("between", start, end)
    after = _AFTER.search(low)
    if after:
        bound = _bound(after.group(1), lang)
        if bound is not None:
            return DayPart("after", bound, _DAY_END)
    before = _BEFORE.search(low)
    if before:
        bound = _bound(before.group(1), lang)
        if bound is not None:
            return DayPart("before", _DAY_START, bound)
    for pattern, window in _WINDOWS:
        if pattern.search(low):
            return window
    return None


def parse_time_request(text: str, lang: str | None = None) -> TimeRequest:
    """Everything said about the time: "в три часа дня" -> clock 15:00; "после обеда" ->
    window AFTERNOON; "после трёх" -> window after 15:00 (and no clock); "попозже" / "later"
    -> shift "later"; "завтра утром в 9" -> clock 09:00 and window MORNING."""
    lang = _lang(text, lang)
    low = prepare(text, lang)
    window = parse_day_part(text, lang)
    clock: ClockTime | None = None
    if window is None or window.name not in ("after", "before", "between"):
        clock = parse_time(text, lang)
    shift: str | None = None
    if window is None or window.name not in ("after", "before", "between"):
        if _LATER.search(low):
            shift = "later"
        elif _EARLIER.search(low):
            shift = "earlier"
    return TimeRequest(clock=clock, window=window, shift=shift)
