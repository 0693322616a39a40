"""`/v1/asr?lang=xx`: speech recognition only, compatible with alphacep's vosk-server.

Existing Vosk clients work unchanged:
- client: optional `{"config": {"sample_rate": 8000, "phrase_list": [...], "words": true}}`,
  then binary 16-bit PCM frames, then `{"eof": 1}`;
- server: `{"partial": "..."}` for each frame, `{"text": "...", "result": [...]}` at each
  endpoint (our own endpointer, `endpointing.asr` in config), and the final result for eof,
  after which the socket closes.
Without `lang` the configured default language is used. Frames over channels.max_frame_bytes,
odd byte counts and junk text are answered with `{"error": "..."}` and the stream goes on.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket

from assistant.gateway.channels.ws_session import Limits, SessionOver, WsLink
from assistant.settings import Settings
from audio.endpointing import EndpointConfig, EndpointEventType
from audio.session import AsrSession
from audio.types import AudioChunk, AudioFormat, PipelineError, Transcript

log = logging.getLogger(__name__)
router = APIRouter()

DEFAULT_RATE = 8000  # vosk-server's default


def result_body(final: Transcript, words: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"text": final.text}
    if words:
        body["result"] = [{"conf": w.conf, "end": w.end, "start": w.start, "word": w.word}
                          for w in final.words]
    return body


class VoskStream:
    """One vosk-server style stream over an AsrSession."""

    def __init__(self, link: WsLink, session: AsrSession) -> None:
        self.link = link
        self.session = session
        self.fmt = AudioFormat(rate=DEFAULT_RATE)
        self.words = True
        self.started = False

    async def send(self, body: dict[str, Any]) -> None:
        await self.link.bounded(self.link.ws.send_text(json.dumps(body, ensure_ascii=False)))

    async def configure(self, config: Any) -> None:
        if not isinstance(config, dict):
            await self.send({"error": "config must be an object"})
            return
        if self.started:
            await self.send({"error": "config must come before the audio"})
            return
        try:
            rate = int(config.get("sample_rate", self.fmt.rate))
            self.fmt = AudioFormat(rate=rate)
            self.words = bool(config.get("words", True))
            phrases = config.get("phrase_list")
            if phrases is not None:
                await self.session.set_grammar([str(p) for p in phrases])
        except (TypeError, ValueError, PipelineError) as exc:
            await self.send({"error": f"bad config: {exc}"})

    async def audio(self, data: bytes) -> None:
        limit = self.link.limits.max_frame_bytes
        if len(data) > limit:
            await self.send({"error": f"frame of {len(data)} bytes over the limit of {limit}"})
            return
        self.started = True
        try:
            update = await self.session.feed(AudioChunk(data, self.fmt))
        except PipelineError as exc:
            await self.send({"error": exc.message})
            return
        if update.done is None:
            await self.send({"partial": update.partial.text if update.partial else ""})
        elif update.done.type is EndpointEventType.NO_SPEECH_TIMEOUT:
            await self.session.cancel()
            await self.send({"partial": ""})
        else:
            await self.send(result_body(await self.session.finish(), self.words))

    async def run(self) -> None:
        while True:
            message = await self.link.receive()
            if message.get("bytes") is not None:
                await self.audio(message["bytes"])
                continue
            try:
                body = json.loads(message.get("text") or "")
            except ValueError:
                await self.send({"error": "text frames must be JSON"})
                continue
            if isinstance(body, dict) and "config" in body:
                await self.configure(body["config"])
            elif isinstance(body, dict) and body.get("eof"):
                await self.send(result_body(await self.session.finish(), self.words))
                return
            else:
                await self.send({"error": "expected a config or an eof message"})


@router.websocket("/v1/asr")
async def asr_socket(ws: WebSocket) -> None:
    settings: Settings = ws.app.state.settings
    lang = ws.query_params.get("lang") or settings.default_lang
    await ws.accept()
    link = WsLink(ws, Limits.from_settings(settings))
    endpointing = EndpointConfig.from_mapping(settings.endpointing_for("asr").model_dump())
    try:
        async with ws.app.state.voice.asr.session(lang, endpointing) as session:
            await VoskStream(link, session).run()
    except PipelineError as exc:
        await _say_and_close(ws, {"error": exc.message}, 4404 if exc.code.endswith(
            "missing") else 1011)
        return
    except SessionOver as over:
        log.info("asr stream ended: %s", over.reason)
        if over.reason in ("client-gone", "slow-client"):
            return
    await _say_and_close(ws, None, 1000)


async def _say_and_close(ws: WebSocket, body: dict[str, Any] | None, code: int) -> None:
    try:
        if body is not None:
            async with asyncio.timeout(5):
                await ws.send_text(json.dumps(body, ensure_ascii=False))
        async with asyncio.timeout(5):
            await ws.close(code)
    except Exception:  # the peer is gone; nothing left to tell it
        log.debug("asr stream: peer gone while closing")
