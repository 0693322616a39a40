"""Latency of `POST /v1/text` over scripted dialogues, with `GET /healthz` as the baseline.

Both are measured in the same run against the same gateway, so the numbers compare the
dialogue path (normalization, Rasa, the action server, the city back-ends) with the bare HTTP
round trip. No thresholds here: the caller writes the JSON and compares.

`run_parallel_text_bench`: N callers at once, each playing the booking dialogues in fresh
sessions (issue 12: 20 parallel callers), every turn timed; each caller also times a /healthz
after each turn, so the baseline is taken under the same load.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from assistant.cli.bench.stats import percentile

DIALOGUES = Path(__file__).with_name("dialogues.yml")


@dataclass(frozen=True)
class TextDialogue:
    lang: str
    lines: tuple[str, ...]
    channel: str = "phone"
    name: str = ""


def load_dialogues(path: Path = DIALOGUES) -> list[TextDialogue]:
    """The bench's dialogues: {lang: [{name, channel, lines}]} in YAML."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [TextDialogue(lang, tuple(d["lines"]), d.get("channel", "phone"), d.get("name", ""))
            for lang, dialogues in data.items() for d in dialogues]


def booking_dialogues(dialogues: Sequence[TextDialogue]) -> list[TextDialogue]:
    """The dialogues that book a doctor (`*-book*`): what the parallel callers play."""
    return [d for d in dialogues if "-book" in d.name]


def summary(samples_ms: Sequence[float]) -> dict[str, float | int]:
    return {
        "count": len(samples_ms),
        "p50_ms": round(statistics.median(samples_ms), 2) if samples_ms else 0.0,
        "p95_ms": round(percentile(samples_ms, 95), 2) if samples_ms else 0.0,
        "max_ms": round(max(samples_ms), 2) if samples_ms else 0.0,
    }


def _timed(http: httpx.Client, method: str, url: str, **kwargs: Any) -> tuple[float, int]:
    start = time.perf_counter()
    answer = http.request(method, url, **kwargs)
    return (time.perf_counter() - start) * 1000, answer.status_code


def run_text_bench(
    gateway_url: str, dialogues: Sequence[TextDialogue], timeout_s: float = 60.0
) -> dict[str, Any]:
    """Play every dialogue (fresh session each) through /v1/text; time every turn.

    Returns {"text": {count, p50_ms, p95_ms, max_ms}, "healthz": {...}, "errors": n,
    "per_lang": {lang: {...}}}. The baseline takes one /healthz call per turn, interleaved.
    """
    base = gateway_url.rstrip("/")
    turns: dict[str, list[float]] = {}
    health: list[float] = []
    errors = 0
    with httpx.Client(timeout=timeout_s) as http:
        for dialogue in dialogues:
            session = f"bench-{uuid.uuid4().hex[:12]}"
            for line in dialogue.lines:
                body = {"session_id": session, "text": line, "lang": dialogue.lang,
                        "channel": dialogue.channel}
                took, status = _timed(http, "POST", f"{base}/v1/text", json=body)
                turns.setdefault(dialogue.lang, []).append(took)
                errors += status != 200
                took, status = _timed(http, "GET", f"{base}/healthz")
                health.append(took)
                errors += status != 200
    every = [ms for samples in turns.values() for ms in samples]
    return {
        "text": summary(every),
        "healthz": summary(health),
        "errors": errors,
        "per_lang": {lang: summary(samples) for lang, samples in sorted(turns.items())},
    }


# One turn, one action, one city call (issue 12: p95 <= 60 ms): the whole request in one line
ONE_ACTION = {
    "en": "check my troika card zero one two three four five six seven eight nine",
    "ru": "баланс тройки ноль один два три четыре пять шесть семь восемь девять",
}
ONE_ACTION_INTENT = "troika_balance"


def run_one_action_bench(gateway_url: str, turns: int = 200,
                         timeout_s: float = 60.0) -> dict[str, Any]:
    """`turns` one-action turns (a Troika balance, each in a fresh session, the languages in
    turn), timed one after the other, with a /healthz after each as the baseline. A turn that
    is not understood as the balance question counts as an error: it did not do the action."""
    base = gateway_url.rstrip("/")
    took: list[float] = []
    health: list[float] = []
    errors = 0
    langs = sorted(ONE_ACTION)
    with httpx.Client(timeout=timeout_s) as http:
        for index in range(turns):
            lang = langs[index % len(langs)]
            body = {"session_id": f"bench-{uuid.uuid4().hex[:12]}", "text": ONE_ACTION[lang],
                    "lang": lang, "channel": "phone"}
            start = time.perf_counter()
            answer = http.post(f"{base}/v1/text", json=body)
            took.append((time.perf_counter() - start) * 1000)
            errors += answer.status_code != 200 or _intent(answer) != ONE_ACTION_INTENT
            elapsed, status = _timed(http, "GET", f"{base}/healthz")
            health.append(elapsed)
            errors += status != 200
    return {"text": summary(took), "healthz": summary(health), "errors": errors}


def _intent(answer: httpx.Response) -> str | None:
    try:
        name = ((answer.json().get("nlu") or {}).get("intent"))
    except ValueError:
        return None
    return name if isinstance(name, str) else None


def _fell_back(answer: httpx.Response) -> bool:
    """A 200 that carries the gateway's fallback line (Rasa timed out or failed)."""
    try:
        events = answer.json().get("events") or []
    except ValueError:
        return False
    return any(isinstance(e, dict) and e.get("type") == "error" for e in events)


async def _caller(http: httpx.AsyncClient, base: str, dialogues: Sequence[TextDialogue],
                  rounds: int, turns: list[float], health: list[float],
                  fallbacks: list[int], pace: random.Random | None, pace_s: float) -> int:
    errors = 0
    if pace is not None:  # callers ring in over one pause, not all in the same instant
        await asyncio.sleep(pace.uniform(0, pace_s))
    for _ in range(rounds):
        for dialogue in dialogues:
            session = f"bench-{uuid.uuid4().hex[:12]}"
            for line in dialogue.lines:
                body = {"session_id": session, "text": line, "lang": dialogue.lang,
                        "channel": dialogue.channel}
                start = time.perf_counter()
                answer = await http.post(f"{base}/v1/text", json=body)
                turns.append((time.perf_counter() - start) * 1000)
                errors += answer.status_code != 200
                fallbacks[0] += answer.status_code == 200 and _fell_back(answer)
                start = time.perf_counter()
                answer = await http.get(f"{base}/healthz")
                health.append((time.perf_counter() - start) * 1000)
                errors += answer.status_code != 200
                if pace is not None:  # hears the answer, then says the next line
                    await asyncio.sleep(pace.uniform(0.5 * pace_s, 1.5 * pace_s))
    return errors


async def _parallel(base: str, dialogues: Sequence[TextDialogue], callers: int, rounds: int,
                    timeout_s: float, pace_s: float) -> dict[str, Any]:
    turns: list[float] = []
    health: list[float] = []
    fallbacks = [0]
    limits = httpx.Limits(max_connections=callers * 2, max_keepalive_connections=callers * 2)
    async with httpx.AsyncClient(timeout=timeout_s, limits=limits) as http:
        # each caller starts at another dialogue, so the callers are not in lockstep
        plays = [list(dialogues[i % len(dialogues):]) + list(dialogues[:i % len(dialogues)])
                 for i in range(callers)]
        started = time.perf_counter()
        errors = await asyncio.gather(*(
            _caller(http, base, play, rounds, turns, health, fallbacks,
                    random.Random(index) if pace_s > 0 else None, pace_s)
            for index, play in enumerate(plays)))
        wall_s = time.perf_counter() - started
    return {
        "callers": callers,
        "pace_s": pace_s,
        "text": summary(turns),
        "healthz": summary(health),
        "errors": sum(errors),
        "fallbacks": fallbacks[0],
        "turns_per_s": round(len(turns) / wall_s, 2) if wall_s > 0 else 0.0,
        "wall_s": round(wall_s, 2),
    }


def run_parallel_text_bench(
    gateway_url: str, dialogues: Sequence[TextDialogue], callers: int, rounds: int = 1,
    timeout_s: float = 60.0, pace_s: float = 0.0,
) -> dict[str, Any]:
    """`callers` concurrent callers, each playing `dialogues` `rounds` times (fresh sessions).

    `pace_s` 0: each caller sends its next line as soon as it has the answer (the saturation
    test: the turn time is the queue at full load). `pace_s` > 0: callers as on the phone, who
    listen to the answer and speak the next line, a pause of 0.5 to 1.5 times `pace_s` (seeded
    per caller) after each turn, and who ring in over the first pause.

    Returns {"callers", "text": {count, p50_ms, p95_ms, max_ms} per turn, "healthz": {...}
    under the same load, "errors" (not 200), "fallbacks" (200 with the gateway's fallback line:
    the dialogue engine timed out or failed), "turns_per_s", "wall_s"}.
    """
    if callers < 1 or not dialogues:
        raise ValueError("the parallel bench needs at least one caller and one dialogue")
    return asyncio.run(_parallel(gateway_url.rstrip("/"), dialogues, callers, rounds,
                                 timeout_s, pace_s))
