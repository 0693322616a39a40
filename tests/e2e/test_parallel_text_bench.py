"""`assistant bench text --parallel N` (issue 12: many callers at once) on the session's stack.

Checks that N callers play the booking dialogues through /v1/text, every turn answered, each
with a /healthz under the same load, back to back and paced as phone callers, and the JSON's
shape; and that the one-action turns are understood as the balance question in both
languages. No wall-clock thresholds: the figures are the benchmark's business.
"""

from __future__ import annotations

from assistant.cli.bench.text import (
    booking_dialogues,
    load_dialogues,
    run_one_action_bench,
    run_parallel_text_bench,
)
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


def test_paced_callers_pause_between_lines(stack: RunningStack) -> None:
    booking = booking_dialogues(load_dialogues())[:1]
    pace_s = 1.0  # half a pause (the least) outlasts a turn here: unpaced callers finish sooner
    report = run_parallel_text_bench(stack.gateway_url, booking, 2, pace_s=pace_s)
    lines = len(booking[0].lines)
    assert report["errors"] == 0 and report["fallbacks"] == 0, report
    assert report["pace_s"] == pace_s and report["text"]["count"] == 2 * lines
    # each caller waits at least half a pause after every line before it is done
    assert report["wall_s"] >= lines * 0.5 * pace_s, report


def test_one_action_turns_do_the_action_in_both_languages(stack: RunningStack) -> None:
    report = run_one_action_bench(stack.gateway_url, turns=4)
    assert report["errors"] == 0, report
    assert report["text"]["count"] == report["healthz"]["count"] == 4
