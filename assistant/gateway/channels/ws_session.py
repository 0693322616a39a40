"""Drive a `Call` from a WebSocket: binary PCM16 frames in, JSON events and binary audio out.

Shared by the smart-speaker/kiosk endpoint `/v1/voice` and the FreeSWITCH-style `/v1/audio-fork`.
Every limit comes from config (`channels:`): frame size, idle time, session length. Bad input
(junk frames, odd byte counts, unknown messages, wrong order) is answered with an error event
and the session goes on; a client that vanishes or stops reading ends only its own session.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from assistant.gateway.channels.call import Call, Item
from assistant.gateway.logs import mask_pii
from assistant.settings import Settings
from audio.types import AudioChunk, AudioFormat, PipelineError, Speech

log = logging.getLogger(__name__)

Shape = Callable[[dict[str, Any]], dict[str, Any] | None]


class SessionOver(Exception):
    """The session ends: the peer left, stopped reading, idled or ran out of time."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    max_frame_bytes: int = 65536
    max_session_s: float = 900.0
    idle_timeout_s: float = 30.0
    max_text_chars: int = 2000

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        ch = settings.channels
        return cls(ch.max_frame_bytes, ch.max_session_s, ch.idle_timeout_s,
                   settings.dialogue.max_text_chars)


def same_shape(event: dict[str, Any]) -> dict[str, Any] | None:
    return event


class WsLink:
    """A WebSocket with the channel's limits: receive with idle/session timeouts, bounded sends."""

    def __init__(self, ws: WebSocket, limits: Limits, shape: Shape = same_shape) -> None:
        self.ws = ws
        self.limits = limits
        self.shape = shape
        self.deadline = time.monotonic() + limits.max_session_s

    async def receive(self) -> MutableMapping[str, Any]:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise SessionOver("session-limit")
        wait = min(self.limits.idle_timeout_s, left)
        try:
            async with asyncio.timeout(wait):
                message: MutableMapping[str, Any] = await self.ws.receive()
        except TimeoutError:
            raise SessionOver("idle-timeout" if wait < left else "session-limit") from None
        if message["type"] == "websocket.disconnect":
            raise SessionOver("client-gone")
        return message

    async def send_event(self, event: dict[str, Any]) -> None:
        shaped = self.shape(event)
        if shaped is not None:
            await self.bounded(self.ws.send_text(json.dumps(shaped, ensure_ascii=False)))

    async def send_audio(self, speech: Speech) -> None:
        step = min(self.limits.max_frame_bytes, max(2, speech.fmt.bytes_per_second // 10))
        step -= step % 2
        for offset in range(0, len(speech.pcm), step):
            await self.bounded(self.ws.send_bytes(speech.pcm[offset:offset + step]))
        await self.send_event({"type": "audio-end"})

    async def send_items(self, items: list[Item]) -> float:
        """Send events and audio in order; returns the seconds of audio sent."""
        seconds = 0.0
        for item in items:
            if isinstance(item, Speech):
                await self.send_audio(item)
                seconds += item.duration_ms / 1000.0
            else:
                await self.send_event(item)
        return seconds

    async def error(self, code: str, message: str) -> None:
        await self.send_event({"type": "error", "code": code, "message": message})

    async def bounded(self, send: Any) -> None:
        try:
            async with asyncio.timeout(self.limits.idle_timeout_s):
                await send
        except TimeoutError:
            raise SessionOver("slow-client") from None
        except (WebSocketDisconnect, RuntimeError, OSError):
            raise SessionOver("client-gone") from None


class WsVoiceSession:
    """The turn loop of one WebSocket voice session (config already read)."""

    def __init__(self, link: WsLink, call: Call, in_rate: int,
                 barge_in_event: dict[str, Any] | None = None) -> None:
        self.link = link
        self.call = call
        self.fmt = AudioFormat(rate=in_rate)
        self.barge_in_event = barge_in_event or {"type": "stop-audio"}
        self._playing_until = 0.0
        self._endpoint_answered = False

    async def run(self, greet: bool = False) -> str:
        """Serve until the call closes or the link ends; returns why it ended."""
        try:
            if greet:
                await self._send(await self.call.greet())
            while not self.call.closed:
                message = await self.link.receive()
                if message.get("bytes") is not None:
                    await self.on_audio(message["bytes"])
                elif message.get("text") is not None:
                    await self.on_control(message["text"])
            reason = self.call.end_reason or "goodbye"
        except SessionOver as over:
            reason = over.reason
        if reason not in ("client-gone", "slow-client"):
            await self._close(reason)
        log.info("voice session %s ended: %s", self.call.call_id, reason)
        return reason

    async def on_audio(self, data: bytes) -> None:
        limit = self.link.limits.max_frame_bytes
        if len(data) > limit:
            await self.link.error("frame-too-large", f"{len(data)} bytes; the limit is {limit}")
            return
        try:
            items, started = await self.call.hear(AudioChunk(data, self.fmt))
        except PipelineError as exc:
            await self.link.error(exc.code, exc.message)
            return
        if started:
            self._endpoint_answered = False
        if started and time.monotonic() < self._playing_until:
            self._playing_until = 0.0
            await self.link.send_event(self.barge_in_event)
            await self.call.conv.barge_in()
        await self._send(items)
        if self.call.utterance_over:
            self._endpoint_answered = True
            await self._send(await self.call.respond())

    async def end_of_audio(self) -> None:
        """`end` from the device. When the endpointer already answered this utterance and no
        speech followed, the trailing audio is dropped instead of answered a second time."""
        if self._endpoint_answered:
            self._endpoint_answered = False
            await self.call.cancel()
            await self.link.send_event({"type": "turn-end", "empty": True})
            return
        await self._send(await self.call.respond())

    async def on_control(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            await self.link.error("bad-message", "text frames must be JSON objects")
            return
        if not isinstance(message, dict):
            await self.link.error("bad-message", "text frames must be JSON objects")
            return
        await self.dispatch(message)

    async def dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind in ("end", "eof"):
            await self.end_of_audio()
        elif kind == "cancel":
            await self.call.cancel()
            await self.link.send_event({"type": "cancelled"})
        elif kind == "text":
            await self._typed(message.get("text"))
        elif kind == "repeat":
            await self._send(await self.call.repeat())
        elif kind in ("slower", "faster"):
            await self._send(await self.call.set_slow(kind == "slower"))
        elif kind == "config":
            await self.link.error("bad-order", "config was already received")
        else:
            await self.link.error("unknown-message", f"unknown message type {kind!r}")

    async def _typed(self, text: object) -> None:
        limit = self.link.limits.max_text_chars
        if not isinstance(text, str) or not text.strip():
            await self.link.error("bad-message", "a text message needs a non-empty 'text'")
        elif len(text) > limit:
            await self.link.error("too-large", f"text is {len(text)} characters; limit {limit}")
        else:
            log.info("typed turn on %s: %s", self.call.call_id, mask_pii(text))
            await self._send(await self.call.respond_text(text))

    async def _send(self, items: list[Item]) -> None:
        seconds = await self.link.send_items(items)
        if seconds:
            self._playing_until = time.monotonic() + seconds

    async def _close(self, reason: str) -> None:
        try:
            await self.link.send_event({"type": "end", "reason": reason})
            async with asyncio.timeout(self.link.limits.idle_timeout_s):
                await self.link.ws.close(1000)
        except (SessionOver, TimeoutError, RuntimeError, OSError, WebSocketDisconnect):
            pass
