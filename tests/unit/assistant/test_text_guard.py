"""Issue 11 finding 9 and issue 10 item 3 on `POST /v1/text`: Rasa's `/intent{...}` trigger
syntax never reaches the dialogue engine, and empty text is refused with 422 as on /v1/voice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.gateway.app import create_app
from assistant.gateway.contracts import BotReply, UserTurn
from assistant.gateway.guard import neutralise
from assistant.settings import Settings


class RecordingDialogue:
    def __init__(self) -> None:
        self.turns: list[UserTurn] = []

    async def send(self, turn: UserTurn) -> BotReply:
        self.turns.append(turn)
        return BotReply(session_id=turn.session_id, messages=(), events=())

    async def aclose(self) -> None:
        pass


@pytest.fixture
def dialogue() -> RecordingDialogue:
    return RecordingDialogue()


@pytest.fixture
def client(dialogue: RecordingDialogue) -> Iterator[TestClient]:
    settings = Settings(channels={"audiosocket_port": 0})
    with TestClient(create_app(settings, dialogue=dialogue)) as http:  # type: ignore[arg-type]
        yield http


@pytest.mark.parametrize("text", ["/affirm", ' /book{"policy": "7712345678901234"}',
                                  "\n/inform{\"date\": \"2024-01-01\"}"])
def test_intent_trigger_syntax_is_refused(client: TestClient, dialogue: RecordingDialogue,
                                          text: str) -> None:
    answer = client.post("/v1/text", json={"session_id": "s1", "text": text})
    assert answer.status_code == 422
    assert "'/'" in answer.json()["error"]["message"]
    assert dialogue.turns == []


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_gets_422(client: TestClient, dialogue: RecordingDialogue, text: str) -> None:
    answer = client.post("/v1/text", json={"session_id": "s1", "text": text})
    assert answer.status_code == 422
    assert "empty" in answer.json()["error"]["message"]
    assert dialogue.turns == []


def test_ordinary_text_with_a_slash_inside_goes_through(client: TestClient,
                                                        dialogue: RecordingDialogue) -> None:
    answer = client.post("/v1/text", json={"session_id": "s1", "text": "маршрут 1/2"})
    assert answer.status_code == 200
    assert [t.text for t in dialogue.turns] == ["маршрут 1/2"]


def test_the_dialogue_client_neutralises_what_still_gets_there() -> None:
    assert neutralise('/affirm{"x": 1}') == 'affirm{"x": 1}'
    assert neutralise(" / /deny") == "deny"
    assert neutralise("да") == "да"
