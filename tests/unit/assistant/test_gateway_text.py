"""The gateway's text contract: validation, limits, and a useful reply when Rasa is down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.gateway.app import create_app
from assistant.settings import Settings
from tests.conftest import free_port


@pytest.fixture
def client() -> Iterator[TestClient]:
    # Nothing listens on this port: the real dialogue client meets a refused connection.
    settings = Settings(ports={"rasa": free_port()},  # type: ignore[arg-type]
                        dialogue={"retry_s": 0.3})  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"text": "привет"}, "session_id"),
        ({"session_id": "s", "text": "hi", "lang": "de"}, "lang"),
        ({"session_id": "s", "text": "hi", "channel": "fax"}, "channel"),
        ({"session_id": "s", "text": 5}, "text"),
    ],
)
def test_bad_body_gets_a_readable_422(client: TestClient, body: dict[str, object],
                                      needle: str) -> None:
    response = client.post("/v1/text", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "bad-request"
    assert needle in error["message"]


def test_junk_json_gets_422(client: TestClient) -> None:
    response = client.post("/v1/text", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_text_over_2000_characters_gets_413(client: TestClient) -> None:
    response = client.post("/v1/text", json={"session_id": "s", "text": "а" * 2001})
    assert response.status_code == 413
    assert "2000" in response.json()["error"]["message"]


def test_huge_payload_is_refused_before_parsing(client: TestClient) -> None:
    response = client.post("/v1/text", content=b"x" * 200_000,
                           headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_unreachable_dialogue_still_answers_in_the_users_language(client: TestClient) -> None:
    ru = client.post("/v1/text", json={"session_id": "s1", "text": "привет"})
    assert ru.status_code == 200
    assert ru.json()["events"] == [{"type": "error", "code": "dialogue-unreachable"}]
    assert "Одну минуту" in ru.json()["replies"][0]["text"]
    en = client.post("/v1/text", json={"session_id": "s1", "text": "hi", "lang": "en"})
    assert "One moment" in en.json()["replies"][0]["text"]
