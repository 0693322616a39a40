"""The gateway's client of the dialogue engine (Rasa) over HTTP.

Text is normalized here (numbers as digits, dates) once, for every channel, before Rasa sees it.
Rasa's answers become a typed BotReply: `text` items are messages, `custom` payloads are events.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from assistant.gateway.contracts import (
    BotEvent,
    BotMessage,
    BotReply,
    DialogueTimeoutError,
    DialogueUnreachableError,
    UserTurn,
)
from spoken import canonical_specialty, normalize

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/city/webhook"


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
    def __init__(self, base_url: str, timeout_s: float = 10.0) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_s)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, turn: UserTurn) -> BotReply:
        body = {
            "sender": turn.session_id,
            "message": normalize_text(turn.text, turn.lang),
            "metadata": {"lang": turn.lang, "channel": turn.channel},
        }
        try:
            response = await self._http.post(WEBHOOK_PATH, json=body)
            response.raise_for_status()
        except httpx.TimeoutException as exc:
            raise DialogueTimeoutError(f"dialogue engine timed out: {exc!r}") from exc
        except httpx.HTTPError as exc:
            raise DialogueUnreachableError(f"dialogue engine unreachable: {exc!r}") from exc
        return parse_rasa_reply(turn.session_id, response.json())


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
