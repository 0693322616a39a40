"""`POST /v1/text`: one text turn through normalization and the dialogue engine."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.gateway.contracts import BotReply, UserTurn
from assistant.gateway.dialogue import DialogueClient
from assistant.gateway.fallbacks import fallback_line
from assistant.gateway.guard import text_problem
from assistant.settings import Settings
from audio.types import PipelineError

log = logging.getLogger(__name__)
router = APIRouter()


class TextRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=1, max_length=128)
    text: str
    lang: Literal["ru", "en"] | None = None
    channel: Literal["kiosk", "phone", "speaker", "web"] = "web"

    @field_validator("text")
    @classmethod
    def _callers_text(cls, text: str) -> str:
        """Empty text and Rasa's `/intent{...}` trigger syntax get 422, as on /v1/voice."""
        problem = text_problem(text)
        if problem:
            raise ValueError(problem)
        return text


class ReplyItem(BaseModel):
    text: str


class EntityItem(BaseModel):
    entity: str
    value: str


class NluResult(BaseModel):
    intent: str = ""
    confidence: float = 0.0
    entities: list[EntityItem] = Field(default_factory=list)


class TextResponse(BaseModel):
    session_id: str
    replies: list[ReplyItem]
    events: list[dict[str, Any]]
    nlu: NluResult = Field(default_factory=NluResult)


# `async def`: FastAPI runs a plain `def` dependency in the thread pool, a hand-off per request
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_dialogue(request: Request) -> DialogueClient:
    client: DialogueClient = request.app.state.dialogue
    return client


def nlu_result(data: dict[str, Any]) -> NluResult:
    entities = data.get("entities")
    return NluResult(
        intent=str(data.get("intent") or ""),
        confidence=float(data.get("confidence") or 0.0),
        entities=[EntityItem(entity=str(e.get("entity")), value=str(e.get("value")))
                  for e in (entities if isinstance(entities, list) else [])
                  if isinstance(e, dict)],
    )


def reply_body(reply: BotReply) -> TextResponse:
    """Rasa's `nlu` event (the interpretation of the turn) becomes the `nlu` field."""
    nlu = NluResult()
    events: list[dict[str, Any]] = []
    for event in reply.events:
        if event.type == "nlu":
            nlu = nlu_result(event.data)
        else:
            events.append({"type": event.type, **event.data})
    replies = [ReplyItem(text=m.text) for m in reply.messages]
    return TextResponse(session_id=reply.session_id, replies=replies, events=events, nlu=nlu)


@router.post("/v1/text", response_model=TextResponse)
async def post_text(
    body: TextRequest,
    settings: Annotated[Settings, Depends(get_settings)],
    dialogue: Annotated[DialogueClient, Depends(get_dialogue)],
) -> TextResponse:
    limit = settings.dialogue.max_text_chars
    if len(body.text) > limit:
        raise HTTPException(413, f"text is {len(body.text)} characters; the limit is {limit}")
    lang = body.lang or settings.default_lang
    if not settings.accepts(lang):  # config.yml `languages`
        raise HTTPException(422, f"language '{lang}' is not served here: {settings.languages}")
    turn = UserTurn(session_id=body.session_id, channel=body.channel, lang=lang, text=body.text)
    try:
        reply = await dialogue.send(turn)
    except PipelineError as exc:
        log.warning("turn failed for session %s: %s (%s)", body.session_id, exc.code, exc.message)
        return fallback_body(body.session_id, exc.code, lang)
    except Exception:
        log.exception("unexpected failure in a text turn for session %s", body.session_id)
        return fallback_body(body.session_id, "internal", lang)
    return reply_body(reply)


def fallback_body(session_id: str, code: str, lang: str) -> TextResponse:
    """The caller always hears something useful, never a stack trace."""
    return TextResponse(
        session_id=session_id,
        replies=[ReplyItem(text=fallback_line(code, lang))],
        events=[{"type": "error", "code": code}],
    )
