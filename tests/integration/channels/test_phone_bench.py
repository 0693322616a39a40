"""The phone benchmark runs end to end against the gateway's AudioSocket server (small N)."""

from __future__ import annotations

from assistant.cli.bench.phone import run_phone_bench, run_restricted_bench
from tests.integration.channels.conftest import Gateway


def test_phone_bench_reports_latency_per_concurrency(gateway: Gateway) -> None:
    silence_ms = gateway.settings.endpointing_for("phone").silence_ms
    result = run_phone_bench([1, 2], port=gateway.phone_port, turns=1, silence_ms=silence_ms)
    assert [level["n"] for level in result["levels"]] == [1, 2]
    for level in result["levels"]:
        assert level["failed_calls"] == 0 and level["turns"] == level["n"]
        assert level["p50_ms"] > silence_ms  # the endpointer waits out the trailing silence
        assert level["p95_ms"] >= level["p50_ms"]
    assert "max_n_p95_under_1s" in result


def test_restricted_bench_compares_early_endpointing_on_and_off(gateway: Gateway) -> None:
    # its own two AudioSocket servers in this process, on the same settings as the gateway
    result = run_restricted_bench(gateway.settings, turns=2, rounds=1, kinds=("yes_no",))
    on, off = result["early_on"], result["early_off"]
    assert on["all"]["turns"] == off["all"]["turns"] == 2
    assert on["yes_no"]["ended_early"] >= 1, "a heard 네 never ended after the short silence"
    assert off["all"]["ended_early"] == 0
    for mode in (on, off):
        assert mode["all"]["compute_p50_ms"] > 0 and mode["all"]["p95_ms"] >= mode["all"]["p50_ms"]
    assert result["early_silence_ms"] < result["silence_ms"]
