"""`assistant bench text --parallel N` (issue 12: many callers at once) on the session's stack.

Checks that N callers play the booking dialogues through /v1/text, every turn answered, each
with a /healthz under the same load, and the JSON's shape. No wall-clock
thresholds: the figures are the benchmark's business.
"""

from __future__ import annotations

from assistant.cli.bench.text import booking_dialogues, load_dialogues, run_parallel_text_bench
from tests.fixtures.stack import RunningStack

SUMMARY_KEYS = {"count", "p50_ms", "p95_ms", "max_ms"}


def test_parallel_callers_play_the_booking_dialogues(stack: RunningStack) -> None:
    booking = booking_dialogues(load_dialogues())
    assert {d.lang for d in booking} == {"ru", "en"}, booking
    assert all("-book" in d.name and d.lines for d in booking)
    callers = 3
    report = run_parallel_text_bench(stack.gateway_url, booking[:2], callers)

    turns = callers * sum(len(d.lines) for d in booking[:2])
    assert report["errors"] == 0 and report["fallbacks"] == 0, report
    assert report["callers"] == callers
    for name in ("text", "healthz"):
        assert set(report[name]) == SUMMARY_KEYS, report
        assert report[name]["count"] == turns, report
        assert 0 < report[name]["p50_ms"] <= report[name]["p95_ms"] <= report[name]["max_ms"]
    assert report["turns_per_s"] > 0 and report["wall_s"] > 0
