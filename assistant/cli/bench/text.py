"""Latency of `POST /v1/text` over scripted dialogues, with `GET /healthz` as the baseline.

Both are measured in the same run against the same gateway, so the numbers compare the
dialogue path (normalization, Rasa, the action server, the city back-ends) with the bare HTTP
round trip. No thresholds here: the caller writes the JSON and compares.
"""

from __future__ import annotations

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


def load_dialogues(path: Path = DIALOGUES) -> list[TextDialogue]:
    """The bench's dialogues: {lang: [{name, channel, lines}]} in YAML."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [TextDialogue(lang, tuple(d["lines"]), d.get("channel", "phone"))
            for lang, dialogues in data.items() for d in dialogues]


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
