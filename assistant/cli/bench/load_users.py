"""The locustfile of `assistant bench load`: who calls, and what each one does.

Run by `locust -f` in its own process (locust patches the standard library with gevent on
import, so nothing else imports this module). `--load-config FILE` (JSON, written by
assistant/cli/bench/load.py) names the targets, all on loopback:

- `TextCaller`: a whole booking dialogue over the gateway's `POST /v1/text`, answering what the
  assistant asks (load_script.py). Each caller owns one (patient, specialty) pair of the demo
  data; before each dialogue it cancels its pair's visit through the city API (and checks that
  the visit it was told about in its last dialogue is still there), after it checks that the
  visit it was just told about exists.
- `PhoneCaller`: an AudioSocket call as Asterisk makes it (assistant/cli/audiosocket_caller.py,
  paced as phone.one_call paces it), Korean speech from espeak-ng, end of speech to first reply
  audio; each turn is kept as it ends (locust stops callers at the end without waiting).
- `Baseline`: `GET /healthz` of the same gateways under the same load.

Each turn is a locust request event (request_type "text", "phone" or "healthz"), so locust's
own statistics count them; the raw samples, the bookings the callers were told about and the
dialogue outcomes go to the file named by the config's "raw_out" when locust quits.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent
import httpx
from locust import User, between, constant, events, task
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment

from assistant.cli.audiosocket_caller import FakeAsterisk
from assistant.cli.bench.load_audit import CityApi
from assistant.cli.bench.load_script import Booking, pair

CONFIG: dict[str, Any] = {}
RESULTS: dict[str, Any] = {"samples": [], "told": [], "lost": [], "outcomes": Counter(),
                           "errors": [], "stuck": [], "started": 0.0}
_callers = itertools.count()  # text callers: caller k holds load_script.pair(k)
_phones = itertools.count()
_speech: list[bytes] = []


def _options(parser: LocustArgumentParser) -> None:
    parser.add_argument("--load-config", default="", help="JSON written by `assistant bench load`")


def _configure(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    path = getattr(options, "load_config", "") if options is not None else ""
    if not path:
        raise SystemExit("load_users.py needs --load-config FILE (run `assistant bench load`)")
    CONFIG.update(json.loads(Path(path).read_text(encoding="utf-8")))
    PhoneCaller.fixed_count = int(CONFIG["phone_users"])
    TextCaller.wait_time = constant(float(CONFIG.get("think_s", 0.0)))


def _started(**_: Any) -> None:
    RESULTS["started"], RESULTS["started_epoch"] = time.monotonic(), time.time()


def _write(**_: Any) -> None:
    if CONFIG.get("raw_out"):
        out = dict(RESULTS, outcomes=dict(RESULTS["outcomes"]))
        Path(CONFIG["raw_out"]).write_text(json.dumps(out, ensure_ascii=False))


def _listen(hook: Any, handler: Callable[..., None]) -> None:
    hook.add_listener(handler)  # locust's event hooks carry no type information


_listen(events.init_command_line_parser, _options)
_listen(events.init, _configure)
_listen(events.test_start, _started)
_listen(events.quitting, _write)


def record(environment: Environment, kind: str, took_ms: float, error: str = "",
           fallback: str = "") -> None:
    """One turn: a locust request event and a raw sample [kind, t since start s, ms, status];
    status "error" (no answer), "fallback" (the gateway's apology, e.g. dialogue-timeout) or
    "ok"."""
    request: Any = environment.events.request
    failure = error or fallback
    request.fire(
        request_type=kind, name="turn", response_time=took_ms, response_length=0,
        exception=RuntimeError(failure) if failure else None, context={})
    status = "error" if error else "fallback" if fallback else "ok"
    RESULTS["samples"].append([kind, round(time.monotonic() - RESULTS["started"], 3),
                               round(took_ms, 2), status])
    if error and len(RESULTS["errors"]) < 50:
        RESULTS["errors"].append(f"{kind}: {error}"[:300])


class TextCaller(User):
    """A booking dialogue after another, over /v1/text, on one (patient, specialty) pair."""

    wait_time = constant(0.0)

    def on_start(self) -> None:
        index = next(_callers)
        self.patient, self.specialty = pair(index)
        langs = CONFIG.get("langs", ["ru", "en"])
        self.lang = langs[index % len(langs)]
        gateways = CONFIG["gateways"]
        self.gateway = gateways[index % len(gateways)].rstrip("/")
        self.option = index % 3
        self.http = httpx.Client(timeout=float(CONFIG.get("timeout_s", 60.0)))
        self.city = CityApi(CONFIG["city_url"], CONFIG["city_key"], self.http)
        self.told: dict[str, Any] | None = None
        self.fallback = ""  # the gateway's error code of the last turn, if it apologised

    def on_stop(self) -> None:
        self.http.close()

    @task
    def book(self) -> None:
        try:
            self._book()
        except httpx.HTTPError as exc:  # the city API, asked before and after a dialogue
            record(self.environment, "city", 0.0, f"{type(exc).__name__}: {exc}")

    def _book(self) -> None:
        self._clear()
        dialogue = Booking(self.patient, self.specialty, self.lang, self.option)
        session = f"load-{uuid.uuid4().hex[:12]}"
        line: str | None = dialogue.first_line()
        reply: str | None = ""
        while line is not None:
            reply = self._turn(session, line)
            if reply is None:
                dialogue.outcome = "error"
                break
            line = dialogue.retry() if self.fallback else dialogue.next_line(reply)
        RESULTS["outcomes"][dialogue.outcome] += 1
        if dialogue.outcome in ("stuck", "too_long") and len(RESULTS["stuck"]) < 20:
            # what the assistant said last, numbers masked (policy numbers, dates of birth)
            RESULTS["stuck"].append(re.sub(r"\d", "#", f"{self.lang}: {reply}")[:300])
        if dialogue.outcome == "booked":
            self._check_told(dialogue.reference)

    def _turn(self, session: str, text: str) -> str | None:
        body = {"session_id": session, "text": text, "lang": self.lang, "channel": "phone"}
        start = time.perf_counter()
        try:
            answer = self.http.post(f"{self.gateway}/v1/text", json=body)
            took = (time.perf_counter() - start) * 1000
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            record(self.environment, "text", (time.perf_counter() - start) * 1000,
                   f"{type(exc).__name__}: {exc}")
            return None
        data = answer.json()
        codes = [str(e.get("code")) for e in data.get("events", []) if e.get("type") == "error"]
        self.fallback = codes[0] if codes else ""
        record(self.environment, "text", took, fallback=self.fallback)
        return " ".join(str(m.get("text", "")) for m in data.get("replies", []))

    def _clear(self) -> None:
        """Cancel this pair's active visit; the one told about last time must be among them."""
        token = self.city.token(self.patient)
        mine = [v for v in self.city.visits(self.patient, token)
                if v.get("serviceType") == self.specialty]
        if self.told is not None:
            if not any(v.get("reference") == self.told["reference"] for v in mine):
                RESULTS["lost"].append(f"{self.patient.key} {self.told['reference']} "
                                       f"({self.specialty}) gone before its caller cancelled it")
            self.told["cancelled"] = True
            self.told = None
        for visit in mine:
            self.city.cancel(self.patient, int(visit["id"]), token)

    def _check_told(self, reference: str) -> None:
        told = {"patient": self.patient.key, "specialty": self.specialty,
                "reference": reference, "cancelled": False}
        RESULTS["told"].append(told)
        self.told = told
        held = [v for v in self.city.visits(self.patient) if v.get("reference") == reference]
        if not held or held[0].get("serviceType") != self.specialty:
            RESULTS["lost"].append(f"{self.patient.key} {reference} ({self.specialty}) told, "
                                   "but not held by the city right after")


async def phone_call(host: str, port: int, speech: bytes, turns: int, tail_ms: int,
                     timeout_s: float, on_turn: Callable[[float], None]) -> None:
    """One AudioSocket call as phone.one_call makes it (greeting, then speech and silence per
    turn), reporting each turn's end of speech to first reply audio (ms) as it comes."""
    tail = bytes(2 * 8 * tail_ms)
    async with FakeAsterisk(host, port) as call:
        await call.wait_quiet(0.3, timeout_s)  # the greeting
        for _ in range(turns):
            end = await call.speak(speech)
            speaking = asyncio.create_task(call.speak(tail))
            first = await call.wait_audio_after(end, timeout_s)
            on_turn(1000.0 * (first - end))
            await speaking
            await call.wait_quiet(0.3, timeout_s)  # the reply
            if call.hung_up.is_set():
                return


class PhoneCaller(User):
    """AudioSocket calls one after another, each of a few Korean turns."""

    fixed_count = 0
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        index = next(_phones)
        sockets = CONFIG["audiosockets"]
        self.address = sockets[index % len(sockets)]
        if not _speech:
            from assistant.cli.bench.phone import PHRASES, korean_speech

            # not "thank you" (네 감사합니다): the assistant would take it as goodbye
            _speech.extend(korean_speech(p) for p in PHRASES if "감사" not in p)
        self.speech = _speech[index % len(_speech)]

    @task
    def call(self) -> None:
        turns = int(CONFIG.get("phone_turns", 2))
        tail_ms = int(CONFIG.get("phone_silence_ms", 500)) + 600
        timeout = float(CONFIG.get("timeout_s", 60.0))
        host, port = str(self.address[0]), int(self.address[1])
        done: list[float] = []

        def on_turn(ms: float) -> None:  # in the call's thread: the raw sample at once
            done.append(ms)
            RESULTS["samples"].append(["phone", round(time.monotonic() - RESULTS["started"], 3),
                                       round(ms, 2), "ok"])

        def run() -> str:  # asyncio in a real thread, off the gevent loop
            try:
                asyncio.run(phone_call(host, port, self.speech, turns, tail_ms, timeout,
                                       on_turn))
            except Exception as exc:  # a refused, dropped or silent call
                return f"{type(exc).__name__}: {exc}"
            return ""
        start = time.perf_counter()
        error = gevent.get_hub().threadpool.apply(run)
        request: Any = self.environment.events.request
        for ms in done:  # locust's own statistics
            request.fire(request_type="phone", name="turn", response_time=ms,
                         response_length=0, exception=None, context={})
        if error:
            record(self.environment, "phone", (time.perf_counter() - start) * 1000, error)


class Baseline(User):
    """`GET /healthz` of every gateway, twice a second: the same-run baseline."""

    fixed_count = 1
    wait_time = constant(0.5)

    def on_start(self) -> None:
        self.http = httpx.Client(timeout=30)
        self.gateways = itertools.cycle(CONFIG["gateways"])

    def on_stop(self) -> None:
        self.http.close()

    @task
    def health(self) -> None:
        url = f"{next(self.gateways).rstrip('/')}/healthz"
        start = time.perf_counter()
        try:
            self.http.get(url).raise_for_status()
        except httpx.HTTPError as exc:
            record(self.environment, "healthz", (time.perf_counter() - start) * 1000,
                   f"{type(exc).__name__}: {exc}")
            return
        record(self.environment, "healthz", (time.perf_counter() - start) * 1000)
