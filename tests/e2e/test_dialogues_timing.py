"""The `/v1/text` latency benchmark (what `assistant bench text` runs) on the session's stack.

The numbers are the benchmark's business (`assistant bench text` writes them as JSON and
compares them with GET /healthz measured in the same run); this test only checks that the
benchmark runs over its own dialogues and writes well-formed JSON. No wall-clock thresholds.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.cli.bench.text import TextDialogue, load_dialogues, run_text_bench
from tests.fixtures.stack import RunningStack

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "dialogue-text-bench.json"
SUMMARY_KEYS = {"count", "p50_ms", "p95_ms", "max_ms"}


def check_summary(name: str, summary: dict[str, float | int], count: int) -> None:
    assert set(summary) == SUMMARY_KEYS, (name, summary)
    assert summary["count"] == count, (name, summary)
    assert 0 < summary["p50_ms"] <= summary["p95_ms"] <= summary["max_ms"], (name, summary)


def test_text_bench_runs_on_its_dialogues_and_writes_json(stack: RunningStack) -> None:
    every = load_dialogues()
    assert {d.lang for d in every} == {"ru", "en"} and all(d.lines for d in every)
    # two dialogues per language: enough to exercise the bench, not to measure with
    chosen: list[TextDialogue] = [d for lang in ("ru", "en")
                                  for d in [d for d in every if d.lang == lang][:2]]
    report = run_text_bench(stack.gateway_url, chosen)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(report, ensure_ascii=False, indent=1))

    turns = {lang: sum(len(d.lines) for d in chosen if d.lang == lang) for lang in ("ru", "en")}
    assert set(report) == {"text", "healthz", "errors", "per_lang"}, report
    assert report["errors"] == 0, report
    check_summary("text", report["text"], sum(turns.values()))
    check_summary("healthz", report["healthz"], sum(turns.values()))  # one per turn
    assert set(report["per_lang"]) == set(turns), report
    for lang, count in turns.items():
        check_summary(lang, report["per_lang"][lang], count)
