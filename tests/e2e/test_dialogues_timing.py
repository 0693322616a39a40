"""`/v1/text` latency over the e2e dialogues (p50/p95), against GET /healthz in the same run.

It replays the scripts the dialogue tests of this session played (tests/e2e/test_dialogues_en.py
and _ru.py, which run before this file), writes test-artifacts/dialogue-text-bench.json and
prints it. No wall-clock thresholds: the numbers are for the report and for `assistant bench`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.cli.bench.text import TextDialogue, run_text_bench
from tests.fixtures.stack import PLAYED, RunningStack, shared_stack

pytestmark = [pytest.mark.stack, pytest.mark.rasa]
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "dialogue-text-bench.json"


@pytest.fixture(scope="session")
def stack() -> Iterator[RunningStack]:
    yield from shared_stack()


def test_text_latency_over_the_e2e_dialogues(stack: RunningStack) -> None:
    langs = {script.lang for script in PLAYED}
    if len(PLAYED) < 25 or langs != {"ru", "en"}:
        pytest.fail(f"only {len(PLAYED)} dialogues were played before the benchmark: run it "
                    "with them, `pytest tests/e2e/test_dialogues_en.py "
                    "tests/e2e/test_dialogues_ru.py tests/e2e/test_dialogues_timing.py`")
    dialogues = [TextDialogue(s.lang, tuple(s.lines()), s.channel) for s in PLAYED]
    report = run_text_bench(stack.gateway_url, dialogues)
    report["dialogues"] = {lang: sum(s.lang == lang for s in PLAYED) for lang in sorted(langs)}
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(report, indent=1))
    print("\n" + json.dumps(report, indent=1))
    assert report["errors"] == 0
    assert report["text"]["count"] == sum(len(d.lines) for d in dialogues)
    assert report["healthz"]["p50_ms"] > 0
