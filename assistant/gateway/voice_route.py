"""`/v1/voice`: the WebSocket of smart speakers and the kiosk page.

The protocol is documented in docs/voice-protocol.md.

A device authenticates with a bearer token (`Authorization: Bearer T`, or `?token=T` where a
browser cannot set headers); a wrong token is refused before the socket is accepted. Then:
a JSON config message, binary PCM16 frames, JSON control messages; the server answers with JSON
events and the reply audio as binary frames at the device's rate.
"""

from __future__ import annotations

import hmac
import json
import logging
import uuid
from typing import Literal

from fastapi import APIRouter, WebSocket
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.gateway.channels.call import Call
from assistant.gateway.channels.ws_session import Limits, SessionOver, WsLink, WsVoiceSession
from assistant.gateway.pipeline import VoiceStack
from assistant.settings import Settings
from audio.types import PipelineError

log = logging.getLogger(__name__)
router = APIRouter()

POLICY_VIOLATION = 1008


class VoiceConfig(BaseModel):
    """The device's first message."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["config"]
    lang: Literal["ru", "en", "ko"] | None = None
    sample_rate: int = Field(16000, ge=8000, le=48000)
    device_id: str = Field("unknown", max_length=128)
    session_id: str | None = Field(None, min_length=1, max_length=128)
    channel: Literal["speaker", "kiosk", "web"] = "speaker"
    greet: bool = False


def bearer_token(ws: WebSocket) -> str:
    header = ws.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return ws.query_params.get("token", "")


def token_valid(token: str, allowed: list[str]) -> bool:
    given = token.encode()
    return bool(token) and any(hmac.compare_digest(given, t.encode()) for t in allowed)


async def authorize(ws: WebSocket, settings: Settings) -> bool:
    """Refuse (HTTP 403, nothing accepted) unless the token is one of channels.voice_tokens."""
    if token_valid(bearer_token(ws), settings.channels.voice_tokens):
        return True
    client = ws.client.host if ws.client else "?"
    log.warning("refused a voice device from %s: missing or unknown token", client)
    await ws.close(code=POLICY_VIOLATION, reason="missing or invalid bearer token")
    return False


async def read_config(link: WsLink) -> VoiceConfig:
    """Wait for a valid config message; anything else before it is answered with an error."""
    while True:
        message = await link.receive()
        if message.get("text") is None:
            await link.error("bad-order", "send the JSON config message before any audio")
            continue
        try:
            return VoiceConfig.model_validate(json.loads(message["text"]))
        except (ValueError, ValidationError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else "invalid JSON"
            await link.error("bad-config", f"expected a config message: {detail}")


@router.websocket("/v1/voice")
async def voice_socket(ws: WebSocket) -> None:
    settings: Settings = ws.app.state.settings
    if not await authorize(ws, settings):
        return
    await ws.accept()
    link = WsLink(ws, Limits.from_settings(settings))
    try:
        config = await read_config(link)
    except SessionOver as over:
        log.info("voice device left before its config: %s", over.reason)
        return
    await serve(link, ws.app.state.voice, settings, config)


async def serve(link: WsLink, stack: VoiceStack, settings: Settings, config: VoiceConfig) -> None:
    session_id = config.session_id or uuid.uuid4().hex
    lang = config.lang or settings.default_lang
    log.info("voice session %s: device %s, %s, %d Hz, %s", session_id, config.device_id,
             lang, config.sample_rate, config.channel)
    async with Call(stack, session_id, config.channel, lang, config.sample_rate) as call:
        try:
            await link.send_event({"type": "ready", "session_id": session_id, "lang": lang,
                                   "sample_rate": config.sample_rate})
        except SessionOver:
            return
        session = WsVoiceSession(link, call, config.sample_rate)
        try:
            await session.run(greet=config.greet)
        except PipelineError as exc:  # a stage error the pipeline did not speak
            log.error("voice session %s failed: %s", session_id, exc.code)
