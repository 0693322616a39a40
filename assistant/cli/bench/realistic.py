"""The realistic dialogue suite: goal-driven conversations written the way Vosk writes, each
ending with a check a citizen would agree with (the right visit booked, a cancellation done, a
balance stated, nothing asked twice, no false statement).

The tables live beside this module (realistic/ru.yml, realistic/en.yml); `assistant bench
dialogues` and the e2e test both play them through `POST /v1/text` with `run_suite`.

A dialogue: {name, setup?, turns, expect}. A turn is a line or {say, expect?, reask?, when?}
(`when`: said only if the last reply matches, as a caller answers what is asked); a
line may hold {dom+N} (the day of the month N days from today, said as an ordinal). setup:
{clear: patient} cancels that patient's visits; {book: {patient, specialty}} books one free
slot first. expect: booked / not_booked / cancelled / says / never_says (see `_checks`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import yaml

from assistant.settings import DEMO_CITY_API_KEY

TABLES = Path(__file__).with_name("realistic")
MOSCOW = ZoneInfo("Europe/Moscow")
PATIENTS = {  # the demo identities (cityservices/seed/health.py)
    "ivan": ("7712345678901234", "1985-03-14"),
    "anna": ("7798765432109876", "1992-11-02"),
    "sergei": ("7700000000000017", "1978-06-30"),
    "maria": ("7700000000000025", "2015-09-05"),
}
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_RU_ORD = ["", "первого", "второго", "третьего", "четвёртого", "пятого", "шестого", "седьмого",
           "восьмого", "девятого", "десятого", "одиннадцатого", "двенадцатого", "тринадцатого",
           "четырнадцатого", "пятнадцатого", "шестнадцатого", "семнадцатого", "восемнадцатого",
           "девятнадцатого", "двадцатого"]
_EN_ORD = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
           "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
           "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"]


@dataclass(frozen=True)
class Turn:
    say: str
    expect: tuple[str, ...] = ()
    reask: bool = False  # the caller's line is junk: the same question may come again
    when: str = ""  # said only if the last reply matches (a caller answers what is asked)


@dataclass(frozen=True)
class Dialogue:
    name: str
    lang: str
    turns: tuple[Turn, ...]
    expect: dict[str, Any]
    setup: dict[str, Any] = field(default_factory=dict)
    questions: tuple[str, ...] = ()  # the table's prompts that must not come twice


@dataclass
class Outcome:
    name: str
    lang: str
    passed: bool
    reason: str = ""
    transcript: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "lang": self.lang, "passed": self.passed,
                "reason": self.reason,
                "transcript": [{"caller": c, "assistant": a} for c, a in self.transcript]}


def load_suite(langs: Sequence[str] = ("ru", "en"), tables: Path = TABLES) -> list[Dialogue]:
    out: list[Dialogue] = []
    for lang in langs:
        data = yaml.safe_load((tables / f"{lang}.yml").read_text(encoding="utf-8"))
        questions = tuple(data.get("questions", ()))
        for item in data["dialogues"]:
            turns = tuple(Turn(t) if isinstance(t, str) else
                          Turn(t["say"], tuple(t.get("expect", ())), bool(t.get("reask")),
                               str(t.get("when", "")))
                          for t in item["turns"])
            out.append(Dialogue(item["name"], lang, turns, item.get("expect", {}),
                                item.get("setup", {}), questions))
    return out


def moscow_today() -> date:
    return datetime.now(MOSCOW).date()


def open_day(today: date, offset: int) -> date:
    """The day `offset` days from today, moved past a Sunday (clinics are closed then), so that a
    {dom+N} dialogue asks for a working day on any date the suite runs."""
    day = today + timedelta(days=offset)
    return day + timedelta(days=1) if day.weekday() == 6 else day


def render(line: str, lang: str, today: date) -> str:
    """{dom+N}: the day of the month of `open_day(today, N)` as an ordinal ("пятого")."""
    def day(match: re.Match[str]) -> str:
        dom = open_day(today, int(match.group(1))).day
        ords = _RU_ORD if lang == "ru" else _EN_ORD
        if dom < len(ords):
            return ords[dom]
        tens = "двадцать" if lang == "ru" else "twenty"
        if dom >= 30:
            tens = "тридцать" if lang == "ru" else "thirty"
        unit = dom % 10
        return f"{tens} {ords[unit]}" if unit else ("тридцатого" if lang == "ru" else "thirtieth")
    return re.sub(r"\{dom\+(\d+)\}", day, line)


class City:
    """The city API as a citizen's proof: identify, list, cancel, book."""

    def __init__(self, url: str, http: httpx.Client, key: str = DEMO_CITY_API_KEY) -> None:
        self.url, self.http, self.key = url.rstrip("/"), http, key

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {"X-API-Key": self.key}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        answer = self.http.request(method, f"{self.url}{path}", headers=headers, **kwargs)
        answer.raise_for_status()
        return answer.json()

    def token(self, patient: str) -> str:
        policy, born = PATIENTS[patient]
        ident = self.call("POST", "/health/v1/patients/identify",
                          json={"policy_number": policy, "birth_date": born})
        return str(ident["token"])

    def visits(self, patient: str) -> list[dict[str, Any]]:
        answer = self.call("GET", "/health/v1/appointments", self.token(patient))
        return [a for a in answer["appointments"] if a.get("status", "booked") == "booked"]

    def clear(self, patient: str) -> None:
        token = self.token(patient)
        for visit in self.visits(patient):
            self.call("DELETE", f"/health/v1/appointments/{visit['id']}", token)

    def book(self, patient: str, specialty: str, pick: int = 2) -> dict[str, Any]:
        slots = self.call("GET", "/health/v1/slots",
                          params={"specialty": specialty, "limit": 12})["slots"]
        slot = slots[min(pick, len(slots) - 1)]
        booked: dict[str, Any] = self.call("POST", "/health/v1/appointments",
                                           self.token(patient), json={"slot_id": slot["id"]})
        return booked


def _start(visit: dict[str, Any]) -> datetime:
    raw = visit.get("start") or visit.get("slot", {}).get("start")
    return datetime.fromisoformat(str(raw)).astimezone(MOSCOW)


def _day_ok(spec: Any, day: date, today: date) -> str | None:
    """None when `day` fits the spec: "+N" (N days from today), a weekday name, or
    {weekday, next_week: true}, or {dom: "+N"}."""
    if isinstance(spec, str) and spec.startswith("+"):
        want = today + timedelta(days=int(spec[1:]))
        # "послезавтра" that falls on a weekend: the assistant says so and offers Monday
        monday = want + timedelta(days=7 - want.weekday())
        if day == want or (want.weekday() >= 5 and day == monday):
            return None
        return f"booked on {day}, wanted {want}"
    if isinstance(spec, str):
        spec = {"weekday": spec}
    if "dom" in spec:
        want = open_day(today, int(str(spec["dom"]).lstrip("+")))
        return None if day == want else f"booked on {day}, wanted {want}"
    wanted = WEEKDAYS[spec["weekday"]]
    if day.weekday() != wanted:
        return f"booked on {day:%A} {day}, wanted {spec['weekday']}"
    if spec.get("next_week"):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        if not monday <= day < monday + timedelta(days=7):
            return f"booked on {day}, wanted {spec['weekday']} of next week"
    elif not today < day <= today + timedelta(days=7):
        return f"booked on {day}, wanted the coming {spec['weekday']}"
    return None


def _time_ok(spec: dict[str, Any], start: datetime) -> str | None:
    minutes = start.hour * 60 + start.minute
    if "between" in spec:
        lo, hi = (int(t[:2]) * 60 + int(t[3:]) for t in spec["between"])
        if not lo <= minutes <= hi:
            return f"booked at {start:%H:%M}, wanted between {spec['between'][0]} and " \
                   f"{spec['between'][1]}"
    if "near" in spec:
        want = int(spec["near"][:2]) * 60 + int(spec["near"][3:])
        slack = int(spec.get("slack_min", 120))
        if abs(minutes - want) > slack:
            return f"booked at {start:%H:%M}, wanted near {spec['near']}"
    return None


def _check_booked(city: City, spec: dict[str, Any], today: date, ctx: dict[str, Any]) -> str:
    visits = [v for v in city.visits(spec["patient"])
              if v.get("serviceType") == spec["specialty"]]
    if not visits:
        return f"no {spec['specialty']} visit booked for {spec['patient']}"
    if len(visits) > 1:
        return f"{len(visits)} {spec['specialty']} visits booked for {spec['patient']}"
    start = _start(visits[0])
    if "day" in spec and (why := _day_ok(spec["day"], start.date(), today)):
        return why
    if ctx.get("setup_visit") and spec.get("moved"):
        before = _start(ctx["setup_visit"])
        if before == start:
            return f"the visit was not moved (still {start:%Y-%m-%d %H:%M})"
    return _time_ok(spec, start) or ""


def _checks(city: City, expect: dict[str, Any], replies: list[str], today: date,
            ctx: dict[str, Any]) -> str:
    """The first failed check's reason, or "" when the citizen got what they wanted."""
    everything = "\n".join(replies)
    for needle in expect.get("says", ()):
        if not re.search(needle, everything, re.IGNORECASE):
            return f"never said {needle!r}"
    for needle in expect.get("final_says", ()):
        if not re.search(needle, replies[-1] if replies else "", re.IGNORECASE):
            return f"the last reply does not say {needle!r}"
    for needle in expect.get("final_never_says", ()):
        if re.search(needle, replies[-1] if replies else "", re.IGNORECASE):
            return f"the last reply says {needle!r}"
    for needle in expect.get("never_says", ()):
        if re.search(needle, everything, re.IGNORECASE):
            return f"said {needle!r} (false or unwanted)"
    if "booked" in expect and (why := _check_booked(city, expect["booked"], today, ctx)):
        return why
    for spec in _as_list(expect.get("not_booked")):
        got = [v for v in city.visits(spec["patient"])
               if v.get("serviceType") == spec["specialty"]]
        if got:
            return f"a {spec['specialty']} visit was booked for {spec['patient']} against " \
                   f"the caller's wish ({_start(got[0]):%Y-%m-%d %H:%M})"
    if "cancelled" in expect:
        left = {v["id"] for v in city.visits(expect["cancelled"]["patient"])}
        if ctx.get("setup_visit") and ctx["setup_visit"]["id"] in left:
            return "the visit is still booked"
    if "kept" in expect:
        left = {v["id"] for v in city.visits(expect["kept"]["patient"])}
        if ctx.get("setup_visit") and ctx["setup_visit"]["id"] not in left:
            return "the visit was cancelled against the caller's wish"
    return ""


def _as_list(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def asked_twice(transcript: Sequence[tuple[str, str]], turns: Sequence[Turn],
                questions: Sequence[str]) -> str:
    """A question for a detail (the policy, the birth date, the day, the doctor) asked again
    after the dialogue had moved past it, i.e. after the caller answered it (turns marked
    `reask`, junk, excepted); or one sentence said twice in one reply."""
    for index, (_, reply) in enumerate(transcript):
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", reply) if len(s.strip()) > 12]
        if len(sentences) != len(set(sentences)):
            return f"said the same sentence twice in turn {index + 1}: {reply!r}"
    for question in questions:
        asked = [bool(re.search(question, reply, re.IGNORECASE)) for _, reply in transcript]
        answered_at: int | None = None
        for index, now in enumerate(asked):
            if index and asked[index - 1] and not now:
                answered_at = index
            junk = any(t.reask for t in turns[answered_at or 0:index + 1])
            if now and answered_at is not None and not junk:
                return f"asked twice: {question!r} (again in turn {index + 1})"
    return ""


def play(gateway: str, city: City, dialogue: Dialogue, http: httpx.Client,
         today: date | None = None) -> Outcome:
    today = today or moscow_today()
    outcome = Outcome(dialogue.name, dialogue.lang, False)
    ctx: dict[str, Any] = {}
    try:
        if patient := dialogue.setup.get("clear"):
            for name in _as_list_str(patient):
                city.clear(name)
        if booking := dialogue.setup.get("book"):
            city.clear(booking["patient"])
            ctx["setup_visit"] = city.book(booking["patient"], booking["specialty"],
                                           int(booking.get("pick", 2)))
        session = f"real-{uuid.uuid4().hex[:12]}"
        replies: list[str] = []
        for turn in dialogue.turns:
            if turn.when and not (replies and re.search(turn.when, replies[-1], re.I)):
                continue
            line = render(turn.say, dialogue.lang, today)
            body = {"session_id": session, "text": line, "lang": dialogue.lang,
                    "channel": "phone"}
            answer = http.post(f"{gateway.rstrip('/')}/v1/text", json=body)
            answer.raise_for_status()
            text = " ".join(m.get("text", "") for m in answer.json().get("replies", []))
            outcome.transcript.append((line, text))
            replies.append(text)
            for needle in turn.expect:
                if not re.search(needle, text, re.IGNORECASE):
                    outcome.reason = f"after {line!r}: expected {needle!r}, got {text!r}"
                    return outcome
        reason = _checks(city, dialogue.expect, replies, today, ctx)
        if not reason and dialogue.expect.get("not_asked_twice", True):
            reason = asked_twice(outcome.transcript, dialogue.turns, dialogue.questions)
        outcome.passed, outcome.reason = not reason, reason
    except httpx.HTTPError as exc:
        outcome.reason = f"HTTP error: {exc}"
    return outcome


def _as_list_str(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def run_suite(gateway: str, city_url: str, dialogues: Sequence[Dialogue],
              progress: Callable[[Outcome], None] | None = None,
              city_key: str = DEMO_CITY_API_KEY) -> dict[str, Any]:
    """Play every dialogue; {"per_lang": {lang: {count, passed, pass_rate}}, "failures": [...],
    "outcomes": [...]}."""
    outcomes: list[Outcome] = []
    with httpx.Client(timeout=90) as http:
        city = City(city_url, http, city_key)
        for dialogue in dialogues:
            outcome = play(gateway, city, dialogue, http)
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    per_lang: dict[str, dict[str, Any]] = {}
    for lang in sorted({o.lang for o in outcomes}):
        mine = [o for o in outcomes if o.lang == lang]
        passed = sum(o.passed for o in mine)
        per_lang[lang] = {"count": len(mine), "passed": passed,
                          "pass_rate": round(passed / len(mine), 3)}
    return {
        "per_lang": per_lang,
        "failures": [o.as_json() for o in outcomes if not o.passed],
        "outcomes": [{"name": o.name, "lang": o.lang, "passed": o.passed, "reason": o.reason}
                     for o in outcomes],
    }
