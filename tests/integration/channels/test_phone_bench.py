"""The phone benchmark runs end to end against the gateway's AudioSocket server (small N)."""

from __future__ import annotations

from assistant.cli.bench.phone import run_phone_bench
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
