"""NLU evaluation over HTTP: intent accuracy and entity precision/recall/F1 per language.

Runs in the main environment against a running Rasa (`POST /model/parse`, with the stack's
`secrets.rasa_token`: Rasa's API answers nothing without it). Each case's text is
normalized exactly as the gateway does (actions.parsing.normalize) before Rasa sees it.
Entities are compared as (entity, value) pairs, values case-insensitively.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from assistant.gateway.dialogue import normalize_text
from assistant.settings import ROOT

HELDOUT_PATH = ROOT / "nlu" / "tests" / "nlu_heldout.yml"


@dataclass(frozen=True)
class NluCase:
    lang: str
    text: str
    intent: str
    entities: Mapping[str, str] = field(default_factory=dict)


def load_cases(path: Path = HELDOUT_PATH) -> list[NluCase]:
    """Cases from a YAML file shaped {lang: [{text, intent, entities?}, ...]}."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        NluCase(lang=str(lang), text=str(item["text"]), intent=str(item["intent"]),
                entities={str(k): str(v) for k, v in (item.get("entities") or {}).items()})
        for lang, items in data.items() for item in items
    ]


def _pairs(entities: Iterable[tuple[str, str]]) -> Counter[tuple[str, str]]:
    return Counter((name, value.strip().lower()) for name, value in entities)


@dataclass
class _Tally:
    total: int = 0
    correct: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, case: NluCase, intent: str, got: Counter[tuple[str, str]]) -> None:
        want = _pairs(case.entities.items())
        self.total += 1
        self.correct += intent == case.intent
        hits = sum((got & want).values())
        self.tp += hits
        self.fp += sum(got.values()) - hits
        self.fn += sum(want.values()) - hits
        if intent != case.intent:
            self.confusions[(case.intent, intent)] += 1
        if intent != case.intent or got != want:
            self.misses.append({"text": case.text, "intent": case.intent, "got": intent,
                                "entities": sorted(want), "got_entities": sorted(got)})

    def report(self) -> dict[str, Any]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "cases": self.total,
            "intent_accuracy": round(self.correct / self.total, 4) if self.total else 0.0,
            "entity_precision": round(precision, 4),
            "entity_recall": round(recall, 4),
            "entity_f1": round(f1, 4),
            "confusions": [{"expected": e, "got": g, "count": n}
                           for (e, g), n in self.confusions.most_common()],
            "misses": self.misses,
        }


def parse(http: httpx.Client, rasa_url: str, text: str) -> dict[str, Any]:
    answer = http.post(f"{rasa_url.rstrip('/')}/model/parse", json={"text": text})
    answer.raise_for_status()
    data: dict[str, Any] = answer.json()
    return data


def evaluate(rasa_url: str, cases: Iterable[NluCase], token: str,
             timeout_s: float = 30.0) -> dict[str, Any]:
    """Parse every case through Rasa (`token`: its API token, sent as `?token=`); the report per
    language: {lang: {intent_accuracy, entity_precision, entity_recall, entity_f1, cases,
    confusions, misses}}."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    with httpx.Client(timeout=timeout_s, params={"token": token}) as http:
        for case in cases:
            data = parse(http, rasa_url, normalize_text(case.text, case.lang))
            intent = str((data.get("intent") or {}).get("name") or "")
            got = _pairs((str(e.get("entity")), str(e.get("value")))
                         for e in data.get("entities") or [])
            tallies[case.lang].add(case, intent, got)
    return {lang: tally.report() for lang, tally in sorted(tallies.items())}
