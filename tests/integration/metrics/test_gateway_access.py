"""Issue 12, item 5: the gateway's /metrics is internal: loopback callers, or the metrics token."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.gateway.app import create_app
from assistant.settings import Settings


def scrape(token: str, client_host: str, headers: dict[str, str] | None = None) -> int:
    app = create_app(Settings(gateway={"metrics_token": token}))
    client = TestClient(app, client=(client_host, 50000))  # no lifespan: nothing is loaded
    return client.get("/metrics", headers=headers or {}).status_code


def test_a_loopback_caller_may_scrape() -> None:
    assert scrape("", "127.0.0.1") == 200
    assert scrape("", "::1") == 200


def test_anyone_else_gets_404_without_the_token() -> None:
    assert scrape("", "203.0.113.7") == 404
    assert scrape("s3cret", "203.0.113.7") == 404
    assert scrape("s3cret", "203.0.113.7", {"Authorization": "Bearer wrong"}) == 404
    assert scrape("", "203.0.113.7", {"Authorization": "Bearer "}) == 404


def test_the_token_lets_an_outside_scraper_in() -> None:
    assert scrape("s3cret", "203.0.113.7", {"Authorization": "Bearer s3cret"}) == 200


def test_the_stage_series_are_there_before_any_call() -> None:
    app = create_app(Settings())
    text = TestClient(app, client=("127.0.0.1", 50000)).get("/metrics").text
    for name in ("gorod_asr_endpoint_to_final_seconds_bucket", "gorod_dialogue_turn_seconds_count",
                 "gorod_tts_seconds_sum", "gorod_speech_end_to_first_audio_seconds_count",
                 "gorod_gateway_active_calls", "gorod_gateway_capacity_calls",
                 "gorod_gateway_refused_calls_total"):
        assert name in text, name
