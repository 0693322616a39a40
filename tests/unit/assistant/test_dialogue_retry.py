"""While Rasa restarts (connection refused) the gateway retries briefly, then says "one moment";
a turn Rasa did take is never sent twice, and a silent answer is never passed on."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from assistant.gateway.contracts import DialogueEmptyError, DialogueUnreachableError, UserTurn
from assistant.gateway.dialogue import DialogueClient
from assistant.gateway.fallbacks import fallback_line

TURN = UserTurn(session_id="s1", channel="phone", lang="ru", text="да")
REPLY = [{"recipient_id": "s1", "text": "Номер записи A-1."}]


def client_with(handler: httpx.MockTransport, retry_s: float) -> DialogueClient:
    client = DialogueClient("http://rasa.invalid", retry_s=retry_s)
    client._http = httpx.AsyncClient(base_url="http://rasa.invalid", transport=handler)
    return client


def refusing(times: int, calls: list[int], answer: object = REPLY) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) <= times:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=answer)
    return httpx.MockTransport(handle)


def test_a_short_refusal_is_retried_and_the_turn_goes_through() -> None:
    calls: list[int] = []
    reply = asyncio.run(client_with(refusing(2, calls), retry_s=2.0).send(TURN))
    assert [m.text for m in reply.messages] == ["Номер записи A-1."]
    assert len(calls) == 3


def test_a_long_refusal_ends_in_one_moment_and_the_session_stays_usable() -> None:
    calls: list[int] = []
    client = client_with(refusing(1000, calls), retry_s=0.6)
    with pytest.raises(DialogueUnreachableError):
        asyncio.run(client.send(TURN))
    assert 2 <= len(calls) <= 4
    assert fallback_line("dialogue-unreachable", "ru").startswith("Одну минуту")
    assert fallback_line("dialogue-unreachable", "en").startswith("One moment")
    del calls[:]
    client._http = httpx.AsyncClient(base_url="http://rasa.invalid",
                                     transport=refusing(0, calls))
    assert asyncio.run(client.send(TURN)).messages  # Rasa back: the same session goes on


def test_a_turn_that_reached_rasa_is_not_sent_again() -> None:
    calls: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.RemoteProtocolError("server died mid-answer", request=request)

    with pytest.raises(DialogueUnreachableError):
        asyncio.run(client_with(httpx.MockTransport(handle), retry_s=2.0).send(TURN))
    assert len(calls) == 1


def test_a_silent_answer_is_not_passed_on() -> None:
    nlu_only = [{"recipient_id": "s1", "custom": {"event": "nlu", "intent": "affirm"}}]
    with pytest.raises(DialogueEmptyError):
        asyncio.run(client_with(refusing(0, [], nlu_only), retry_s=0.1).send(TURN))
