"""`/v1/voice`: the WebSocket of smart speakers and the kiosk page.

The protocol is documented in docs/voice-protocol.md.

A device authenticates with a bearer token (`Authorization: Bearer T`, or `?token=T` where a
browser cannot set headers); a wrong token is refused before the socket is accepted. A browser
(a request with an `Origin` header) must also come from the gateway's own origin (the kiosk
page) or one of `channels.allowed_origins`; devices send no Origin. The same check guards every
WebSocket route (`/v1/voice`, `/v1/audio-fork`, `/v1/asr`). Then:
a JSON config message, binary PCM16 frames, JSON control messages; the server answers with JSON
events and the reply audio as binary frames at the device's rate.

Every WebSocket route holds one of the gateway's voice places (assistant.gateway.admission) for
the session's length: over `asr.max_streams`, or while the gateway drains, a new socket is refused
after its token check with HTTP 503 and `Retry-After` (`admit`); a session still going at the
drain deadline gets its end event and close code 1001 (`end_for_drain`).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import uuid
from collections.abc import Sequence
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from fastapi.responses import PlainTextResponse
from starlette.websockets import WebSocketDisconnect

from assistant.gateway.admission import GOING_AWAY, TRY_AGAIN_LATER, Admission, Ticket
from assistant.gateway.channels.call import Call
from assistant.gateway.channels.ws_session import (
    BadFrame,
    Limits,
    SessionOver,
    WsLink,
    WsVoiceSession,
)
from assistant.gateway.pipeline import VoiceStack
from assistant.gateway.wire import Config, Ready, SessionEnd, WireError
from assistant.settings import Settings
from audio.types import PipelineError

log = logging.getLogger(__name__)
router = APIRouter()

POLICY_VIOLATION = 1008


def bearer_token(ws: WebSocket) -> str:
    header = ws.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return ws.query_params.get("token", "")


def token_valid(token: str, allowed: list[str]) -> bool:
    given = token.encode()
    return bool(token) and any(hmac.compare_digest(given, t.encode()) for t in allowed)


def origin_allowed(ws: WebSocket, allowed: Sequence[str]) -> bool:
    """No Origin: not a browser (a device, a PBX), allowed. A browser's Origin must be the
    gateway's own (scheme http(s), host:port as in the Host header) or listed in
    channels.allowed_origins (exact `scheme://host[:port]`, or `*` for any)."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True
    if origin in allowed or "*" in allowed:
        return True
    parts = urlsplit(origin)
    host = ws.headers.get("host", "")
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc.lower() == host.lower()


async def authorize(ws: WebSocket, settings: Settings) -> bool:
    """Refuse (HTTP 403, nothing accepted) unless the token is one of channels.voice_tokens
    and the Origin, if any, is allowed."""
    client = ws.client.host if ws.client else "?"
    if not token_valid(bearer_token(ws), settings.channels.voice_tokens):
        log.warning("refused a voice device from %s: missing or unknown token", client)
        await ws.close(code=POLICY_VIOLATION, reason="missing or invalid bearer token")
        return False
    if not origin_allowed(ws, settings.channels.allowed_origins):
        log.warning("refused a browser from %s: origin %r is not allowed", client,
                    ws.headers.get("origin", "")[:100])
        await ws.close(code=POLICY_VIOLATION, reason="origin not allowed")
        return False
    return True


async def admit(ws: WebSocket, what: str) -> Ticket | None:
    """A voice place for this socket, or a refusal (None): HTTP 503 with `Retry-After` before
    the upgrade where the server can answer it (uvicorn can), else close code 1013 with the
    retry hint in its reason."""
    admission: Admission = ws.app.state.admission
    ticket = admission.admit(what)
    if ticket is not None:
        return ticket
    why = "draining" if admission.draining else "busy"
    hint = admission.retry_hint()
    if "websocket.http.response" in ws.scope.get("extensions", {}):
        await ws.send_denial_response(PlainTextResponse(
            f"{why}: {hint}\n", status_code=503,
            headers={"Retry-After": str(admission.retry_after_s)}))
    else:
        await ws.accept()
        await ws.close(TRY_AGAIN_LATER, reason=f"{why}; {hint}")
    return None


async def end_for_drain(link: WsLink) -> None:
    """The drain deadline: the session's end event (reason `gateway-closing`), then 1001."""
    log.info("%s session ended: gateway-closing (drain deadline)", link.ws.url.path)
    try:
        await link.send_event(SessionEnd("gateway-closing"))
        async with asyncio.timeout(link.limits.idle_timeout_s):
            await link.ws.close(GOING_AWAY, reason="the gateway is shutting down")
    except (SessionOver, TimeoutError, RuntimeError, OSError, WebSocketDisconnect):
        pass


async def read_config(link: WsLink, languages: Sequence[str]) -> Config:
    """Wait for a valid config message; anything else before it is answered with an error."""
    while True:
        message = await link.receive()
        if message.get("text") is None:
            await link.error("bad-order", "send the JSON config message before any audio")
            continue
        try:
            config = Config.from_json(message["text"])
        except WireError as exc:
            await link.error("bad-config", f"expected a config message: {exc}")
            continue
        if config.lang is None or config.lang in languages:
            return config
        await link.error("bad-config", f"language '{config.lang}' is not served here: "
                         f"choose one of {', '.join(languages)} (config.yml languages)")


@router.websocket("/v1/voice")
async def voice_socket(ws: WebSocket) -> None:
    settings: Settings = ws.app.state.settings
    if not await authorize(ws, settings):
        return
    ticket = await admit(ws, "a /v1/voice session")
    if ticket is None:
        return
    with ticket:
        await ws.accept()
        link = WsLink(ws, Limits.from_settings(settings))
        try:
            await voice_session(link, settings)
        except asyncio.CancelledError:
            if not ticket.absorb():
                raise
            await end_for_drain(link)


async def voice_session(link: WsLink, settings: Settings) -> None:
    try:
        config = await read_config(link, settings.languages)
    except BadFrame as bad:
        await link.refuse(bad)
        return
    except SessionOver as over:
        log.info("voice device left before its config: %s", over.reason)
        return
    await serve(link, link.ws.app.state.voice, settings, config)


async def serve(link: WsLink, stack: VoiceStack, settings: Settings, config: Config) -> None:
    session_id = config.session_id or uuid.uuid4().hex
    lang = config.lang or settings.default_lang
    log.info("voice session %s: device %s, %s, %d Hz, %s", session_id, config.device_id,
             lang, config.sample_rate, config.channel)
    async with Call(stack, session_id, config.channel, lang, config.sample_rate,
                    handoffs=getattr(link.ws.app.state, "handoffs", None)) as call:
        try:
            await link.send_event(Ready(session_id, lang, config.sample_rate))
        except SessionOver:
            return
        session = WsVoiceSession(link, call, config.sample_rate)
        try:
            await session.run(greet=config.greet)
        except PipelineError as exc:  # a stage error the pipeline did not speak
            log.error("voice session %s failed: %s", session_id, exc.code)
