"""Sticky routing to Rasa replicas: a consistent hash ring of their URLs, with failover to the
next replica on the ring when one is down, and failback once its health check answers."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from assistant.gateway.contracts import DialogueTimeoutError, DialogueUnreachableError, UserTurn
from assistant.gateway.dialogue import DialogueClient
from assistant.gateway.replicas import HashRing, Replicas

A, B, C = "http://127.0.0.1:7001", "http://127.0.0.1:7002", "http://127.0.0.1:7003"
SESSIONS = [f"session-{n}" for n in range(600)]


def test_one_conversation_always_has_the_same_owner() -> None:
    ring = HashRing([A, B, C])
    assert all(ring.order(s) == HashRing([C, A, B]).order(s) for s in SESSIONS[:50])
    assert all(sorted(ring.order(s)) == [A, B, C] for s in SESSIONS[:50])


def test_conversations_spread_over_the_replicas() -> None:
    owners = Counter(HashRing([A, B, C]).order(s)[0] for s in SESSIONS)
    assert set(owners) == {A, B, C}
    assert min(owners.values()) > len(SESSIONS) / 3 * 0.6, owners


def test_removing_a_replica_moves_only_its_conversations() -> None:
    before = {s: HashRing([A, B, C]).order(s) for s in SESSIONS}
    after = HashRing([A, B])
    for session, order in before.items():
        expected = order[0] if order[0] != C else order[1]  # C's go to the next on the ring
        assert after.order(session)[0] == expected


def test_a_down_replica_is_skipped_until_its_time_is_over() -> None:
    now = [100.0]
    replicas = Replicas([A, B], down_s=5.0, clock=lambda: now[0])
    session = next(s for s in SESSIONS if replicas.ring.order(s)[0] == A)
    replicas.mark_down(A)
    assert replicas.candidates(session) == [B, A]  # A stays a last resort
    now[0] += 6.0
    assert replicas.candidates(session)[0] == A and replicas.due_for_check(A)
    replicas.mark_up(A)
    assert not replicas.due_for_check(A)


def test_an_empty_ring_is_refused() -> None:
    with pytest.raises(ValueError):
        HashRing([])


REPLY = [{"recipient_id": "s", "text": "Готово."}]


def client_for(handler: httpx.MockTransport) -> DialogueClient:
    client = DialogueClient([A, B], retry_s=0.5, down_s=30.0)
    client._http = httpx.AsyncClient(transport=handler)
    return client


def owned_by(url: str) -> str:
    return next(s for s in SESSIONS if HashRing([A, B]).order(s)[0] == url)


def test_a_refused_connection_moves_the_turn_to_the_next_replica() -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        base = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        seen.append(base)
        if base == A:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=REPLY)

    client = client_for(httpx.MockTransport(handle))
    turn = UserTurn(session_id=owned_by(A), channel="phone", lang="ru", text="да")
    assert asyncio.run(client.send(turn)).messages
    assert seen == [A, B]
    assert asyncio.run(client.send(turn)).messages
    assert seen == [A, B, B]  # A is down: the next turn goes straight to B


@pytest.mark.parametrize("failure", ["timeout", "500"])
def test_a_timeout_or_5xx_fails_the_turn_once_and_moves_the_next(failure: str) -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        base = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        seen.append(base)
        if base == A and failure == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        if base == A:
            return httpx.Response(500, text="boom")
        return httpx.Response(200, json=REPLY)

    client = client_for(httpx.MockTransport(handle))
    turn = UserTurn(session_id=owned_by(A), channel="phone", lang="ru", text="да")
    expected = DialogueTimeoutError if failure == "timeout" else DialogueUnreachableError
    with pytest.raises(expected):
        asyncio.run(client.send(turn))
    assert seen == [A]  # a turn that reached a Rasa is never sent twice
    assert asyncio.run(client.send(turn)).messages
    assert seen == [A, B]


def test_a_recovered_replica_takes_its_conversations_back_after_a_health_check() -> None:
    now = [0.0]
    seen: list[str] = []
    healthy = {A: False}

    def handle(request: httpx.Request) -> httpx.Response:
        base = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        seen.append(f"{request.method} {base}{request.url.path}")
        if base == A and request.url.path == "/healthz":
            return httpx.Response(200 if healthy[A] else 503)
        return httpx.Response(200, json=REPLY)

    client = client_for(httpx.MockTransport(handle))
    client.replicas._clock = lambda: now[0]
    turn = UserTurn(session_id=owned_by(A), channel="phone", lang="ru", text="да")
    client.replicas.mark_down(A)
    now[0] = 31.0  # down time over: A is asked first, and is still unhealthy
    asyncio.run(client.send(turn))
    assert seen[-2:] == [f"GET {A}/healthz", f"POST {B}/webhooks/city/webhook"]
    healthy[A] = True
    now[0] = 62.0
    asyncio.run(client.send(turn))
    assert seen[-2:] == [f"GET {A}/healthz", f"POST {A}/webhooks/city/webhook"]
