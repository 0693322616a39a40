"""The gateway's client of the dialogue engine (Rasa) over HTTP.

Text is normalized here (numbers as digits, dates) once, for every channel, before Rasa sees it.
Rasa's answers become a typed BotReply: `text` items are messages, `custom` payloads are events.
Rasa's `city` channel takes only the gateway's calls: each carries the shared secret
(`secrets.channel_secret`) in the header X-Channel-Secret (nlu/channel_auth.py checks it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import httpx

from assistant.gateway.contracts import (
    BotEvent,
    BotMessage,
    BotReply,
    DialogueEmptyError,
    DialogueTimeoutError,
    DialogueUnreachableError,
    UserTurn,
)
from assistant.gateway.guard import neutralise
from assistant.gateway.metrics import DIALOGUE_TURN
from assistant.gateway.replicas import Replicas
from spoken import canonical_specialty, normalize

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/city/webhook"
HEALTH_PATH = "/healthz"  # nlu/health_channel.py: model loaded and tracker store writing
HEALTH_TIMEOUT_S = 1.0
RETRY_PAUSE_S = 0.25
SECRET_HEADER = "X-Channel-Secret"  # nlu/channel_auth.py HEADER


def normalize_text(text: str, lang: str) -> str:
    return normalize(text, lang)


def canonical_entities(nlu: dict[str, Any]) -> dict[str, Any]:
    """`specialty` values are canonical codes by contract, also for a form the model has not
    seen ("к глазнику" -> ophthalmologist): the same mapping as the actions' is applied."""
    entities = nlu.get("entities")
    if not isinstance(entities, list):
        return nlu
    fixed = []
    for entity in entities:
        if isinstance(entity, dict) and entity.get("entity") == "specialty":
            code = canonical_specialty(str(entity.get("value", "")))
            entity = {**entity, "value": code} if code else entity
        fixed.append(entity)
    return {**nlu, "entities": fixed}


class DialogueClient:
    """Sends each turn to the Rasa replica that owns its conversation (assistant/gateway/
    replicas.py); with one URL, to that Rasa."""

    def __init__(self, base_url: str | Sequence[str], timeout_s: float = 10.0, secret: str = "",
                 retry_s: float = 2.0, down_s: float = 5.0) -> None:
        headers = {SECRET_HEADER: secret} if secret else {}
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.replicas = Replicas(urls, down_s)
        self.retry_s = retry_s  # no Rasa listening (restarting): retry this long, then give up
        # Several replicas: a fresh connection per turn (one loopback handshake, ~0.1 ms), so a
        # replica that died is a refused connection, which fails over at once; a kept-alive one
        # would take the turn's bytes and fail ambiguously (ReadError: was it processed?).
        limits = httpx.Limits(max_keepalive_connections=0) if len(urls) > 1 else httpx.Limits()
        self._http = httpx.AsyncClient(base_url=self.replicas.urls[0], timeout=timeout_s,
                                       headers=headers, limits=limits)

    @classmethod
    def from_settings(cls, settings: Settings) -> DialogueClient:
        """Rasa at `internal_host` (or the replicas of `dialogue.rasa_urls`), with the channel
        secret of this stack."""
        dialogue = settings.dialogue
        return cls(dialogue.rasa_urls or settings.url("rasa"), dialogue.timeout_s,
                   settings.secrets.channel_secret, retry_s=dialogue.retry_s,
                   down_s=dialogue.replica_down_s)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, turn: UserTurn) -> BotReply:
        with DIALOGUE_TURN.time():  # gorod_dialogue_turn_seconds (assistant/gateway/metrics.py)
            return await self._send(turn)

    async def send_trigger(self, turn: UserTurn, intent: str,
                           entities: dict[str, str]) -> BotReply:
        """A turn of the gateway's own (a reminder call's opening): Rasa's `/intent{...}`
        trigger, which no caller's text can be (`neutralise`). The `nlu` item, which repeats
        the entities (a one-time ticket), is left out of the reply."""
        body = {"sender": turn.session_id, "message": f"/{intent}{json.dumps(entities)}",
                "metadata": {"lang": turn.lang, "channel": turn.channel}}
        with DIALOGUE_TURN.time():
            response = await self._post(turn.session_id, body)
        reply = parse_rasa_reply(turn.session_id, response.json())
        if not reply.messages:
            raise DialogueEmptyError("the dialogue engine answered nothing")
        return replace(reply, events=tuple(e for e in reply.events if e.type != "nlu"))

    async def _send(self, turn: UserTurn) -> BotReply:
        body = {
            "sender": turn.session_id,
            "message": normalize_text(neutralise(turn.text), turn.lang),  # no `/intent` triggers
            "metadata": {"lang": turn.lang, "channel": turn.channel},
        }
        response = await self._post(turn.session_id, body)
        reply = parse_rasa_reply(turn.session_id, response.json())
        if not reply.messages:  # no model loaded, or a failed action: never a silent turn
            raise DialogueEmptyError("the dialogue engine answered nothing")
        return reply

    async def _post(self, session_id: str, body: dict[str, Any]) -> httpx.Response:
        """To the conversation's replica, or the next one on the ring when it does not take the
        connection. Retried only while no replica takes the connection (restarting), so the
        turn cannot have been seen: a request that reached a Rasa is never sent twice. A
        timeout or a 5xx marks that replica down (the conversation's next turns go to the next
        one) and this turn fails ("one moment")."""
        deadline = time.monotonic() + self.retry_s
        while True:
            for url in self.replicas.candidates(session_id):
                if self.replicas.due_for_check(url) and not await self._healthy(url):
                    self.replicas.mark_down(url)
                    continue
                try:
                    response = await self._http.post(url + WEBHOOK_PATH, json=body)
                except (httpx.ConnectError, httpx.ConnectTimeout):
                    log.info("dialogue engine %s not listening; trying the next", url)
                    self.replicas.mark_down(url)
                    continue
                except httpx.TimeoutException as exc:
                    self.replicas.mark_down(url)
                    raise DialogueTimeoutError(f"dialogue engine timed out: {exc!r}") from exc
                except httpx.HTTPError as exc:
                    self.replicas.mark_down(url)
                    raise DialogueUnreachableError(f"dialogue engine unreachable: {exc!r}") from exc
                return self._checked(url, response)
            if time.monotonic() + RETRY_PAUSE_S > deadline:
                raise DialogueUnreachableError("no dialogue engine takes connections")
            await asyncio.sleep(RETRY_PAUSE_S)

    def _checked(self, url: str, response: httpx.Response) -> httpx.Response:
        if response.status_code >= 500:
            log.warning("dialogue engine %s answered %d; marked down", url, response.status_code)
            self.replicas.mark_down(url)
        else:
            self.replicas.mark_up(url)
        try:
            response.raise_for_status()
        except httpx.HTTPStatusError as exc:
            raise DialogueUnreachableError(f"dialogue engine unreachable: {exc!r}") from exc
        return response

    async def _healthy(self, url: str) -> bool:
        try:
            answer = await self._http.get(url + HEALTH_PATH, timeout=HEALTH_TIMEOUT_S)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200


def parse_rasa_reply(session_id: str, payload: Any) -> BotReply:
    messages: list[BotMessage] = []
    events: list[BotEvent] = []
    for item in payload if isinstance(payload, list) else []:
        if not isinstance(item, dict):
            continue
        custom = item.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("event"), str):
            data = {k: v for k, v in custom.items() if k != "event"}
            if custom["event"] == "nlu":
                data = canonical_entities(data)
            events.append(BotEvent(type=custom["event"], data=data))
        if isinstance(item.get("text"), str):
            messages.append(BotMessage(text=item["text"]))
    return BotReply(session_id=session_id, messages=tuple(messages), events=tuple(events))
