"""`/v1/asr?lang=xx`: speech recognition only, compatible with alphacep's vosk-server.

Existing Vosk clients work unchanged:
- client: optional `{"config": {"sample_rate": 8000, "phrase_list": [...], "words": true}}`,
  then binary 16-bit PCM frames, then `{"eof": 1}`;
- server: `{"partial": "..."}` for each frame, `{"text": "...", "result": [...]}` at each
  endpoint (our own endpointer, `endpointing.asr` in config), and the final result for eof,
  after which the socket closes.
Without `lang` the configured default language is used. Like every WebSocket route it needs a
device token (`?token=T`, which unchanged vosk-server clients can put in their URL, or
`Authorization: Bearer T`) and an allowed Origin; otherwise HTTP 403. Frames over
channels.max_frame_bytes, odd byte counts and junk text are answered with `{"error": "..."}` and
the stream goes on; a text frame over channels.max_control_bytes ends the stream with
`{"error": ...}` and close code 1009. Error messages never show server paths.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, WebSocket

from assistant.gateway.admission import GOING_AWAY
from assistant.gateway.channels.ws_session import BadFrame, Limits, SessionOver, WsLink
from assistant.gateway.guard import public_message
from assistant.gateway.voice_route import admit, authorize
from assistant.gateway.wire import (
    VoskConfig,
    VoskError,
    VoskPartial,
    VoskResult,
    VoskWord,
    WireError,
    WireMessage,
    parse_vosk_request,
)
from assistant.settings import Settings
from audio.endpointing import EndpointConfig, EndpointEventType
from audio.session import AsrSession
from audio.types import AudioChunk, AudioFormat, PipelineError, Transcript

log = logging.getLogger(__name__)
router = APIRouter()

DEFAULT_RATE = 8000  # vosk-server's default


def result_body(final: Transcript, words: bool) -> VoskResult:
    if not words:
        return VoskResult(final.text)
    return VoskResult(final.text, tuple(VoskWord(w.conf, w.end, w.start, w.word)
                                        for w in final.words))


class VoskStream:
    """One vosk-server style stream over an AsrSession."""

    def __init__(self, link: WsLink, session: AsrSession) -> None:
        self.link = link
        self.session = session
        self.fmt = AudioFormat(rate=DEFAULT_RATE)
        self.words = True
        self.started = False

    async def send(self, body: WireMessage) -> None:
        await self.link.bounded(self.link.ws.send_text(body.to_json()))

    async def error(self, message: str) -> None:
        await self.send(VoskError(public_message(message)))

    async def configure(self, config: VoskConfig) -> None:
        if self.started:
            await self.error("config must come before the audio")
            return
        try:
            if config.sample_rate is not None:
                self.fmt = AudioFormat(rate=int(config.sample_rate))
            if config.words is not None:
                self.words = bool(config.words)
            if config.phrase_list is not None:
                await self.session.set_grammar(list(config.phrase_list))
        except (TypeError, ValueError, PipelineError) as exc:
            await self.error(f"bad config: {exc}")

    async def audio(self, data: bytes) -> None:
        limit = self.link.limits.max_frame_bytes
        if len(data) > limit:
            await self.error(f"frame of {len(data)} bytes over the limit of {limit}")
            return
        self.started = True
        try:
            update = await self.session.feed(AudioChunk(data, self.fmt))
        except PipelineError as exc:
            await self.error(exc.message)
            return
        if update.done is None:
            await self.send(VoskPartial(update.partial.text if update.partial else ""))
        elif update.done.type is EndpointEventType.NO_SPEECH_TIMEOUT:
            await self.session.cancel()
            await self.send(VoskPartial(""))
        else:
            await self.send(result_body(await self.session.finish(), self.words))

    async def run(self) -> None:
        while True:
            message = await self.link.receive()
            if message.get("bytes") is not None:
                await self.audio(message["bytes"])
                continue
            try:
                request = parse_vosk_request(message.get("text") or "")
            except WireError as exc:
                await self.error(str(exc))
                continue
            if isinstance(request, VoskConfig):
                await self.configure(request)
            else:
                await self.send(result_body(await self.session.finish(), self.words))
                return


@router.websocket("/v1/asr")
async def asr_socket(ws: WebSocket) -> None:
    settings: Settings = ws.app.state.settings
    lang = ws.query_params.get("lang") or settings.default_lang
    if not await authorize(ws, settings):
        return
    ticket = await admit(ws, "an /v1/asr stream")
    if ticket is None:
        return
    with ticket:
        await ws.accept()
        try:
            await asr_stream(ws, settings, lang)
        except asyncio.CancelledError:
            if not ticket.absorb():
                raise
            await _say_and_close(ws, VoskError("the gateway is shutting down"), GOING_AWAY,
                                 "the gateway is shutting down")


async def asr_stream(ws: WebSocket, settings: Settings, lang: str) -> None:
    link = WsLink(ws, Limits.from_settings(settings))
    endpointing = EndpointConfig.from_mapping(settings.endpointing_for("asr").model_dump())
    if not settings.accepts(lang):  # config.yml `languages`
        await _say_and_close(ws, VoskError(f"language '{lang}' is not served here"), 4404)
        return
    try:
        async with ws.app.state.voice.asr.session(lang, endpointing) as session:
            await VoskStream(link, session).run()
    except PipelineError as exc:
        log.warning("asr stream (%s) failed: %s", lang, exc.message)
        await _say_and_close(ws, VoskError(public_message(exc.message)),
                             4404 if exc.code.endswith("missing") else 1011)
        return
    except BadFrame as bad:
        log.info("asr stream ended: %s", bad.message)
        await _say_and_close(ws, VoskError(bad.message), bad.close_code, bad.message)
        return
    except SessionOver as over:
        log.info("asr stream ended: %s", over.reason)
        if over.reason in ("client-gone", "slow-client"):
            return
    await _say_and_close(ws, None, 1000)


async def _say_and_close(ws: WebSocket, body: WireMessage | None, code: int,
                         reason: str = "") -> None:
    try:
        if body is not None:
            async with asyncio.timeout(5):
                await ws.send_text(body.to_json())
        async with asyncio.timeout(5):
            await ws.close(code, reason=reason[:120] or None)
    except Exception:  # the peer is gone; nothing left to tell it
        log.debug("asr stream: peer gone while closing")
