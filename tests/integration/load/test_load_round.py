"""A short bounded locust round (`assistant bench load`'s code) against the session's stack:
three text callers book doctors over /v1/text for ten seconds; the city must hold every booking
they were told about, and no patient or slot may be booked twice."""

from __future__ import annotations

from assistant.cli.bench.load import LoadPlan, run_load
from tests.fixtures.stack import CITY_API_KEY, RunningStack


def test_a_short_load_round_books_without_double_or_lost_bookings(
        running_stack: RunningStack) -> None:
    plan = LoadPlan([running_stack.gateway_url], running_stack.city_url, CITY_API_KEY,
                    text_users=3, phone_users=0, run_time_s=10, label="test")
    result = run_load(plan)
    summary = {k: result[k] for k in ("turns", "errors", "error_examples", "dialogues",
                                      "double_bookings", "lost_bookings", "told")}
    assert result["text_turn"]["count"] > 0, summary
    assert result["healthz_baseline"]["count"] > 0, summary
    assert result["dialogues"].get("booked", 0) >= 1, summary
    assert result["told"] == result["dialogues"]["booked"], summary
    assert result["double_bookings"]["count"] == 0, summary
    assert result["lost_bookings"]["count"] == 0, summary
    assert result["errors"]["text"] == 0, summary
