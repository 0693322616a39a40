"""Spoken dates -> datetime.date, with dateparser and a layer of rules on top.

parse_day() reads what callers say for an appointment day and tells a day already gone from one
to come (DayRequest.past): "вчера", "yesterday", "20 ноября" said on the 25th, "last friday".
Relative days ("послезавтра", "через неделю", "in 3 days"), weekdays ("в пятницу", "next friday",
"в пятницу на следующей неделе", "friday next week", "в эту пятницу"), day and month ("двадцать
пятого ноября", "november 25th"), a bare day of the month ("давайте пятого числа", "on the 5th":
this month, or next month once the day has gone). Raw Vosk words or normalize()d text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import dateparser

from spoken.normalize import normalize

_RELATIVE: dict[str, int] = {
    "сегодня": 0, "today": 0, "послезавтра": 2, "day after tomorrow": 2, "завтра": 1,
    "tomorrow": 1,
}
_NEXT_WEEK = re.compile(r"\b(на следующей неделе|следующ\w+ недел\w+|next week)\b")
_DAY_ONLY = re.compile(r"^(?:на\s+|on\s+(?:the\s+)?)?(\d{1,2})(?:\s+(?:число|числа|th|st|nd|rd))?$")
_FILLER = re.compile(
    r"\b(давайте|давай|пожалуйста|please|можно|хочу|на|в|во|к|ко|on|for|the|at|of|"
    r"дату|date|день|day|число|числа|года|год|year|родился|родилась|рождения|born|i was|"
    r"was|дата|my|birth|мой|моя|ребёнок|ребенок|ребёнка|ребенка|сын|сына|дочь|дочка|дочки|"
    r"он|она|у|нас|него|неё|нее|child|son|daughter|he|she|kid|is|it|so|ну|так|вот)\b"
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


def _legacy_parse_date(text: str, lang: str, today: date) -> date | None:
    """dateparser and the first rules: what parse_day() does not recognise itself."""
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


@dataclass(frozen=True)
class DayRequest:
    """A day the caller asked for. `past`: the day has gone (the dialogue says so and asks
    again). `kind`: how it was said: "relative" ("завтра", "через неделю"), "weekday"
    ("в пятницу"), "date" (day and month), "day_of_month" ("пятого числа"), "week" (only a week
    was named, "на следующей неделе": `day` is its Monday, or today for "this week"), "weekend"
    ("на выходных", "next weekend": `day` is its Saturday), "other" (what dateparser read)."""

    day: date
    past: bool = False
    kind: str = "date"

    @property
    def week(self) -> bool:
        return self.kind == "week"

    @property
    def status(self) -> str:
        return "past" if self.past else "ok"

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


_RU_WEEKDAYS = (r"понедельник\w*", r"вторник\w*", r"сред[аеуы]", r"четверг\w*", r"пятниц\w*",
                r"суббот\w*", r"воскресень\w*")
_EN_WEEKDAYS = ("mondays?", "tuesdays?", "wednesdays?", "thursdays?", "fridays?", "saturdays?",
                "sundays?")
_WEEKDAY_EACH = [re.compile(rf"\b(?:{r}|{e})\b") for r, e in zip(_RU_WEEKDAYS, _EN_WEEKDAYS,
                                                                  strict=True)]
_NEXT = re.compile(r"\b(?:следующ\w+|next|через\s+неделю|in\s+a\s+week|a\s+week\s+from|"
                   r"на\s+той\s+неделе)\b")
_NEXT_WEEK_ONLY = re.compile(r"\b(?:на\s+следующей\s+неделе|следующ\w+\s+недел\w+|next\s+week|"
                             r"на\s+той\s+неделе)\b")
_AFTER_NEXT = re.compile(r"\b(?:after\s+next|через\s+одну|через\s+две\s+недели|"
                         r"через\s+2\s+недели|in\s+2\s+weeks|in\s+two\s+weeks)\b")
_A_WEEK_ON = re.compile(r"^(?:через\s+неделю|in\s+a\s+week|a\s+week\s+from)\b")
_THIS = re.compile(r"\b(?:эт\w+|this|coming|ближайш\w+)\b")
_THIS_WEEK_ONLY = re.compile(r"\b(?:на\s+этой\s+неделе|this\s+week)\b")
_LAST = re.compile(r"\b(?:прошл\w+|last|past|предыдущ\w+)\b")
_RELATIVE_DAYS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"\b(?:позавчера|(?:the\s+)?day\s+before\s+yesterday)\b"), -2),
    (re.compile(r"\b(?:вчера|yesterday)\b"), -1),
    (re.compile(r"\b(?:послезавтра|(?:the\s+)?day\s+after\s+tomorrow|after\s+tomorrow|"
                r"через\s+день)\b"), 2),
    (re.compile(r"\b(?:завтра|tomorrow)\b"), 1),
    (re.compile(r"\b(?:сегодня|today|tonight|this\s+(?:morning|afternoon|evening))\b"), 0),
]
_IN_DAYS = re.compile(r"\b(?:через|in)\s+(\d{1,2})\s+(?:дн\w*|день|days?)\b")
# "через пару дней", "in a couple of days", "two days from now", "a week from today"
_COUPLE = re.compile(r"\b(?:через\s+пару\s+дней|(?:in\s+)?a\s+couple\s+(?:of\s+)?days"
                     r"(?:\s+from\s+(?:now|today))?)\b")
_FROM_NOW = re.compile(r"\b(?:in\s+)?(\d{1,2}|a|one)\s+(days?|weeks?)\s+from\s+(?:now|today)\b")
_A_WEEK_FROM = re.compile(r"\b(?:a|1|one)\s+week\s+from$")
# the weekend: its Saturday ("на выходных", "в эти выходные", "this weekend", "next weekend")
_WEEKEND = re.compile(r"\b(?:выходны[еху]\w*|weekends?)\b")
_IN_WEEKS = re.compile(r"\b(?:через|in)\s+(?:(\d)\s+)?(?:недел\w*|weeks?)\b|\bin\s+a\s+week\b")
_MONTHS: list[str] = [
    r"январ\w*|january|jan", r"феврал\w*|february|feb", r"март\w*|march|mar",
    r"апрел\w*|april|apr", r"ма[яйе]|may", r"июн\w*|june|jun", r"июл\w*|july|jul",
    r"август\w*|august|aug", r"сентябр\w*|september|sept?", r"октябр\w*|october|oct",
    r"ноябр\w*|november|nov", r"декабр\w*|december|dec",
]
_MONTH = "|".join(f"(?:{m})" for m in _MONTHS)
_ORD = r"(?:st|nd|rd|th|го|е|ое)?"
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH})\b(?:\s+(\d{{4}}))?"
)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH})\s+(?:the\s+)?(\d{{1,2}}){_ORD}\b(?!\s*(?:час|am|pm|oclock|\d{{2}}\b))"
    r"(?:\s+(\d{4}))?"
)
_DAY_MARKED = re.compile(
    r"\b(\d{1,2})(?:\s*(?:st|nd|rd|th)\b|\s+(?:числа|число|числу)\b)|"
    r"\b(?:the|on\s+the)\s+(\d{1,2})(?:st|nd|rd|th)?\b"
    rf"(?!\s*(?:час|am|pm|oclock|\d|(?:of\s+)?(?:{_MONTH})\b))|"  # "the 24 of november": a date
    rf"\bчисла\s+(\d{{1,2}})\b(?!\s*(?:час|\d|{_MONTH}))"  # "где то числа пятого"
)
_FILLERS = re.compile(
    r"\b(?:давайте|давай|ну|можно|пожалуйста|please|хочу|хотелось\s+бы|мне|лучше|тогда|"
    r"запишите|записаться|запиши|на|on|the|let\s*s|how\s+about|maybe|ok|okay|well|"
    r"say|for|а|может|быть)\b"
)
_CLOCK_PART = re.compile(
    r"\b(?:в|во|at|к|около|around|about)\s+\d{1,2}(?:\s+\d{2})?(?:\s+(?:час\w*|утра|дня|"
    r"вечера|ночи|am|pm|oclock))?\b|\b\d{1,2}\s+(?:час\w*|утра|дня|вечера|ночи|am|pm|oclock)\b"
)


_DATE_LIKE = re.compile(
    rf"\b(?:{_MONTH}|месяц\w*|months?)\b|\b\d{{1,2}}[./]\d{{1,2}}\b|^\d{{1,2}}\s+\d{{1,2}}"
    r"(?:\s+\d{2,4})?$|\b\d{4}\s+\d{1,2}\s+\d{1,2}\b"
)


def _month_index(word: str) -> int:
    for index, pattern in enumerate(_MONTHS):
        if re.fullmatch(pattern, word):
            return index + 1
    return 0


def _nearest(day: int, month: int, today: date) -> tuple[date, bool] | None:
    """A day and month said without a year: this year's, or next year's when that is nearer;
    a day gone by less than that is reported as past ("20 ноября" on the 25th)."""
    this_year = _safe(today.year, month, day)
    next_year = _safe(today.year + 1, month, day)
    if this_year is None and next_year is None:
        return None
    if this_year is not None and this_year >= today:
        return this_year, False
    if next_year is None:
        return (this_year, True) if this_year else None
    if this_year is None or (next_year - today) < (today - this_year):
        return next_year, False
    return this_year, True


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _weekday_day(weekday: int, before: str, after: str, today: date,
                 wide: str = "") -> DayRequest:
    """The date of a weekday, with the words said before it ("следующую", "this", "last") and
    after it ("на следующей неделе", "next week", "after next"); `wide`: the few words before
    it, where "на следующей неделе во вторник" / "next week on tuesday" says the week."""
    around = f"{before} | {after}"
    monday = today - timedelta(days=today.weekday())
    if _LAST.search(before):
        back = (today.weekday() - weekday) % 7 or 7
        return DayRequest(today - timedelta(days=back), past=True, kind="weekday")
    if _A_WEEK_FROM.search(wide):  # "a week from friday": that friday and a week
        ahead = (weekday - today.weekday()) % 7 or 7
        return DayRequest(today + timedelta(days=ahead + 7), kind="weekday")
    if _AFTER_NEXT.search(around):
        return DayRequest(monday + timedelta(days=14 + weekday), kind="weekday")
    if (_NEXT.search(before) or _NEXT_WEEK_ONLY.search(after) or _A_WEEK_ON.search(after)
            or _NEXT_WEEK_ONLY.search(wide)):
        return DayRequest(monday + timedelta(days=7 + weekday), kind="weekday")
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not _THIS.search(before):
        ahead = 7  # "в пятницу" said on a Friday: the next one ("сегодня" names today)
    return DayRequest(today + timedelta(days=ahead), kind="weekday")


def _weekday_request(low: str, today: date) -> DayRequest | None:
    mentions = _weekday_mentions(low, today)
    return mentions[0][2] if mentions else None


def _weekday_mentions(low: str, today: date) -> list[tuple[int, int, DayRequest]]:
    found: list[tuple[int, int, DayRequest]] = []
    for weekday, pattern in enumerate(_WEEKDAY_EACH):
        for match in pattern.finditer(low):
            before = " ".join(low[:match.start()].split()[-2:])
            after = " ".join(low[match.end():].split()[:4])
            wide = " ".join(low[:match.start()].split()[-5:])
            found.append((match.start(), match.end(),
                          _weekday_day(weekday, before, after, today, wide)))
    return sorted(found, key=lambda f: f[0])


def _counted_mentions(low: str, today: date) -> list[tuple[int, int, DayRequest]]:
    """Days counted from today: "через пару дней", "two days from now", "a week from today"."""
    found = [(m.start(), m.end(), DayRequest(today + timedelta(days=2), kind="relative"))
             for m in _COUPLE.finditer(low)]
    for match in _FROM_NOW.finditer(low):
        count = 1 if match.group(1) in ("a", "one") else int(match.group(1))
        days = count * (7 if match.group(2).startswith("week") else 1)
        found.append((match.start(), match.end(),
                      DayRequest(today + timedelta(days=days), kind="relative")))
    return found


def _weekend_mentions(low: str, today: date) -> list[tuple[int, int, DayRequest]]:
    """The weekend's Saturday: this one ("на выходных", "this weekend"; today when said at the
    weekend), the next ("на следующих выходных", "next weekend") or the last (past)."""
    found: list[tuple[int, int, DayRequest]] = []
    for match in _WEEKEND.finditer(low):
        before = " ".join(low[:match.start()].split()[-2:])
        saturday = today + timedelta(days=5 - today.weekday())
        if _LAST.search(before):
            saturday -= timedelta(days=7)
            found.append((match.start(), match.end(),
                          DayRequest(saturday, past=True, kind="weekend")))
            continue
        if _NEXT.search(before):
            saturday += timedelta(days=7)
        found.append((match.start(), match.end(),
                      DayRequest(max(saturday, today), kind="weekend")))
    return found


def day_mentions(text: str, lang: str, today: date) -> list[tuple[int, int, DayRequest]]:
    """Every day named in normalized `text`, in order, with its span: relative days, weekdays,
    day and month, a marked day of the month ("5 числа", "the 5th")."""
    low = text
    found = _counted_mentions(low, today) + _weekend_mentions(low, today)
    for pattern, days in _RELATIVE_DAYS:
        for match in pattern.finditer(low):
            found.append((match.start(), match.end(), DayRequest(
                today + timedelta(days=days), past=days < 0, kind="relative")))
    for match in _IN_DAYS.finditer(low):
        found.append((match.start(), match.end(), DayRequest(
            today + timedelta(days=int(match.group(1))), kind="relative")))
    found += _weekday_mentions(low, today)
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(low):
            explicit = _explicit_date(match.group(0), today)
            if explicit is not None:
                found.append((match.start(), match.end(), explicit))
    for match in _DAY_MARKED.finditer(low):
        marked = _bare_day(match.group(0), today)
        if marked is not None:
            found.append((match.start(), match.end(), marked))
    found.sort(key=lambda f: (f[0], -f[1]))
    kept: list[tuple[int, int, DayRequest]] = []
    for item in found:
        if not any(item[0] < k[1] and k[0] < item[1] for k in kept):
            kept.append(item)
    return kept


def parse_day(text: str, lang: str, today: date) -> DayRequest | None:
    """The day asked for, with `past` set when it has gone. `today` is the city's date
    (Moscow time); the caller passes it."""
    lang = lang if lang in ("ru", "en") else "ru"
    low = normalize(text, lang)
    if not low:
        return None
    counted = _counted_mentions(low, today)
    if counted:
        return min(counted, key=lambda f: f[0])[2]
    for pattern, days in _RELATIVE_DAYS:
        if pattern.search(low):
            return DayRequest(today + timedelta(days=days), past=days < 0, kind="relative")
    in_days = _IN_DAYS.search(low)
    if in_days:
        return DayRequest(today + timedelta(days=int(in_days.group(1))), kind="relative")
    weekday = _weekday_request(low, today)
    if weekday is not None:
        return weekday
    weekend = _weekend_mentions(low, today)
    if weekend:
        return weekend[0][2]
    explicit = _explicit_date(low, today)
    if explicit is not None:
        return explicit
    in_weeks = _IN_WEEKS.search(low)
    if in_weeks:
        return DayRequest(today + timedelta(days=7 * int(in_weeks.group(1) or 1)),
                          kind="relative")
    if _NEXT_WEEK_ONLY.search(low):
        return DayRequest(today + timedelta(days=7 - today.weekday()), kind="week")
    if _THIS_WEEK_ONLY.search(low):
        return DayRequest(today, kind="week")
    bare = _bare_day(low, today)
    if bare is not None:
        return bare
    if not _DATE_LIKE.search(_CLOCK_PART.sub(" ", low)):
        return None  # dateparser reads "after four" as April 4th: only date-like text goes there
    legacy = _legacy_parse_date(low, lang, today)
    if legacy is None or not today - timedelta(days=366) <= legacy <= today + timedelta(days=731):
        return None  # "в 1900" (a time said as digits) is not the year 1900
    return DayRequest(legacy, kind="other")


def _explicit_date(low: str, today: date) -> DayRequest | None:
    day_month = _DAY_MONTH.search(low)
    if day_month:
        day, month, year = (int(day_month.group(1)), _month_index(day_month.group(2)),
                            day_month.group(3))
    else:
        month_day = _MONTH_DAY.search(low)
        if not month_day:
            return None
        day, month, year = (int(month_day.group(2)), _month_index(month_day.group(1)),
                            month_day.group(3))
    if not month:
        return None
    if year is not None:
        value = _safe(int(year), month, day)
        return DayRequest(value, past=value < today) if value else None
    nearest = _nearest(day, month, today)
    return DayRequest(*nearest) if nearest else None


def _bare_day(low: str, today: date) -> DayRequest | None:
    """"пятого числа", "on the 5th", or just a day number in the date slot ("на 28"): this
    month's, or next month's once the day has gone."""
    marked = _DAY_MARKED.search(low)
    if marked:
        number = int(marked.group(1) or marked.group(2) or marked.group(3))
    else:
        rest = " ".join(_FILLERS.sub(" ", _CLOCK_PART.sub(" ", low)).split())
        if not re.fullmatch(r"\d{1,2}", rest):
            return None
        number = int(rest)
    if not 1 <= number <= 31:
        return None
    found = _next_day_of_month(number, today)
    return DayRequest(found, kind="day_of_month") if found else None


def parse_date(text: str, lang: str, today: date | None = None) -> date | None:
    """A date preference ("завтра", "в пятницу", "25 ноября", "next monday"); never in the past:
    a day and month already gone this year mean next year's, "вчера" gives None. Use
    parse_day() to tell the caller that the day has gone."""
    today = today or date.today()
    found = parse_day(text, lang, today)
    if found is None:
        return None
    if not found.past:
        return found.day
    if found.kind == "date" and found.day.year == today.year:
        return _shift_year(found.day, 1)  # "24 ноября" said on the 25th: next year's
    return None
