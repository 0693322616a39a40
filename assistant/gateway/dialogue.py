"""The gateway's client of the dialogue engine (Rasa) over HTTP.

Text is normalized here (numbers as digits, dates) once, for every channel, before Rasa sees it.
Rasa's answers become a typed BotReply: `text` items are messages, `custom` payloads are events.
Rasa's `city` channel takes only the gateway's calls: each carries the shared secret
(`secrets.channel_secret`) in the header X-Channel-Secret (nlu/channel_auth.py checks it).
"""

from __future__ import annotations

import asyncio
import logging
import time
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
from spoken import canonical_specialty, normalize

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/city/webhook"
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
    def __init__(self, base_url: str, timeout_s: float = 10.0, secret: str = "",
                 retry_s: float = 2.0) -> None:
        headers = {SECRET_HEADER: secret} if secret else {}
        self.retry_s = retry_s  # Rasa not listening (restarting): retry this long, then give up
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_s, headers=headers)

    @classmethod
    def from_settings(cls, settings: Settings) -> DialogueClient:
        """Rasa at `internal_host`, with the channel secret of this stack."""
        return cls(settings.url("rasa"), settings.dialogue.timeout_s,
                   settings.secrets.channel_secret, retry_s=settings.dialogue.retry_s)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, turn: UserTurn) -> BotReply:
        with DIALOGUE_TURN.time():  # gorod_dialogue_turn_seconds (assistant/gateway/metrics.py)
            return await self._send(turn)

    async def _send(self, turn: UserTurn) -> BotReply:
        body = {
            "sender": turn.session_id,
            "message": normalize_text(neutralise(turn.text), turn.lang),  # no `/intent` triggers
            "metadata": {"lang": turn.lang, "channel": turn.channel},
        }
        try:
            response = await self._post(body)
            response.raise_for_status()
        except httpx.TimeoutException as exc:
            raise DialogueTimeoutError(f"dialogue engine timed out: {exc!r}") from exc
        except httpx.HTTPError as exc:
            raise DialogueUnreachableError(f"dialogue engine unreachable: {exc!r}") from exc
        reply = parse_rasa_reply(turn.session_id, response.json())
        if not reply.messages:  # no model loaded, or a failed action: never a silent turn
            raise DialogueEmptyError("the dialogue engine answered nothing")
        return reply

    async def _post(self, body: dict[str, Any]) -> httpx.Response:
        """Retried only while the connection is refused (Rasa restarting, so the turn cannot
        have been seen); a request that reached Rasa is never sent twice."""
        deadline = time.monotonic() + self.retry_s
        while True:
            try:
                return await self._http.post(WEBHOOK_PATH, json=body)
            except httpx.ConnectError:
                if time.monotonic() + RETRY_PAUSE_S > deadline:
                    raise
                log.info("dialogue engine not listening; retrying")
                await asyncio.sleep(RETRY_PAUSE_S)


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
