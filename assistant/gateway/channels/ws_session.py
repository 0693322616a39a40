"""Drive a `Call` from a WebSocket: binary PCM16 frames in, JSON events and binary audio out.

Shared by the smart-speaker/kiosk endpoint `/v1/voice` and the FreeSWITCH-style `/v1/audio-fork`.
Every limit comes from config (`channels:`): frame size, control frame size, idle time, session
length. Bad input (junk frames, odd byte counts, unknown messages, wrong order, JSON nested too
deeply) is answered with an error event and the session goes on; a control frame over
`channels.max_control_bytes` (or a DTMF string over `channels.max_dtmf_digits`) ends that session
with an error event and close code 1009; a client that vanishes or stops reading ends only its
own session.

Each turn is answered in a task of its own while the session keeps reading, and its events go
out as the pipeline's stages finish: `final` before the dialogue runs, the `reply`, then the
audio sentence by sentence. Speech over the reply (barge-in) sends `stop-audio`, and the rest of
the reply is not made; its `turn-end` says `"cut": true`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from assistant.gateway.channels.call import Call, Item
from assistant.gateway.guard import public_message, text_problem
from assistant.gateway.wire import (
    VOICE_REQUESTS,
    AudioEnd,
    Cancel,
    Cancelled,
    Config,
    EndOfAudio,
    ErrorEvent,
    Faster,
    Registry,
    Repeat,
    SessionEnd,
    Slower,
    StopAudio,
    TurnEnd,
    TypedText,
    WireError,
    WireMessage,
    parse,
)
from assistant.settings import Settings
from audio.types import AudioChunk, AudioFormat, PipelineError, Speech
from spoken.privacy import mask_pii

log = logging.getLogger(__name__)

Shape = Callable[[WireMessage], WireMessage | None]


class SessionOver(Exception):
    """The session ends: the peer left, stopped reading, idled or ran out of time."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


MESSAGE_TOO_BIG = 1009


class BadFrame(SessionOver):
    """A frame no session may send (a control frame over its cap): the session ends with an
    error event, then a close `close_code` whose reason is `message`."""

    def __init__(self, message: str, code: str = "too-large",
                 close_code: int = MESSAGE_TOO_BIG) -> None:
        super().__init__("bad-frame")
        self.message = message
        self.code = code
        self.close_code = close_code


@dataclass(frozen=True)
class Limits:
    max_frame_bytes: int = 65536
    max_session_s: float = 900.0
    idle_timeout_s: float = 30.0
    max_text_chars: int = 2000
    max_control_bytes: int = 16384
    max_dtmf_digits: int = 32

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        ch = settings.channels
        return cls(ch.max_frame_bytes, ch.max_session_s, ch.idle_timeout_s,
                   settings.dialogue.max_text_chars, ch.max_control_bytes, ch.max_dtmf_digits)


def same_shape(event: WireMessage) -> WireMessage | None:
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
        text = message.get("text")
        if text is not None and len(text) * 4 > self.limits.max_control_bytes:
            size = len(text.encode("utf-8"))
            if size > self.limits.max_control_bytes:
                raise BadFrame(f"control frame of {size} bytes; the limit is "
                               f"{self.limits.max_control_bytes}")
        return message

    async def refuse(self, bad: BadFrame) -> None:
        """End the session for a bad frame: an error event, then the close code and reason."""
        try:
            await self.error(bad.code, bad.message)
            async with asyncio.timeout(self.limits.idle_timeout_s):
                await self.ws.close(bad.close_code, reason=bad.message[:120])
        except (SessionOver, TimeoutError, RuntimeError, OSError, WebSocketDisconnect):
            pass

    async def send_event(self, event: WireMessage) -> None:
        shaped = self.shape(event)
        if shaped is not None:
            await self.bounded(self.ws.send_text(shaped.to_json()))

    async def send_audio(self, speech: Speech) -> None:
        step = min(self.limits.max_frame_bytes, max(2, speech.fmt.bytes_per_second // 10))
        step -= step % 2
        for offset in range(0, len(speech.pcm), step):
            await self.bounded(self.ws.send_bytes(speech.pcm[offset:offset + step]))
        await self.send_event(AudioEnd())

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
        await self.send_event(ErrorEvent(code, public_message(message)))

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

    requests: Registry = VOICE_REQUESTS  # the control messages understood after the config

    def __init__(self, link: WsLink, call: Call, in_rate: int) -> None:
        self.link = link
        self.call = call
        self.fmt = AudioFormat(rate=in_rate)
        self._playing_until = 0.0
        self._endpoint_answered = False
        self._turn: asyncio.Task[None] | None = None  # the turn being answered, if any
        self._taken = asyncio.Event()  # the scheduled turn has taken its utterance
        self._taken.set()
        self._failed: SessionOver | None = None  # the link failed while a turn was sending

    async def run(self, greet: bool = False) -> str:
        """Serve until the call closes or the link ends; returns why it ended."""
        try:
            if greet:
                await self._send(await self.call.greet())
            while not self.call.closed:
                message = await self._next_message()
                if message is None:
                    continue  # a turn ended the session
                if message.get("bytes") is not None:
                    await self.on_audio(message["bytes"])
                elif message.get("text") is not None:
                    await self.on_control(message["text"])
            await self._turn_done()
            if self._failed is not None:
                raise self._failed
            reason = self.call.end_reason or "goodbye"
        except BadFrame as bad:
            reason = bad.reason
            await self.link.refuse(bad)
        except SessionOver as over:
            reason = over.reason
        finally:
            await self._stop_turn()
        if reason not in ("client-gone", "slow-client", "bad-frame"):
            await self._close(reason)
        log.info("voice session %s ended: %s", self.call.call_id, reason)
        return reason

    async def _next_message(self) -> MutableMapping[str, Any] | None:
        """The next frame, or None when the turn being answered closed the session."""
        receive = asyncio.ensure_future(self.link.receive())
        while True:
            waits: set[asyncio.Future[Any]] = {receive}
            if self._turn is not None and not self._turn.done():
                waits.add(self._turn)
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            if receive.done():
                return receive.result()
            if self._failed is not None or self.call.closed:
                receive.cancel()
                with contextlib.suppress(asyncio.CancelledError, SessionOver):
                    await receive
                if self._failed is not None:
                    raise self._failed
                return None

    def _start_turn(self, items: AsyncIterator[Item]) -> None:
        """Answer in a task of its own, after the turn before it; reading goes on meanwhile."""
        self._taken.clear()
        self._turn = asyncio.create_task(self._play_turn(self._turn, items),
                                         name=f"turn-{self.call.call_id}")

    async def _play_turn(self, previous: asyncio.Task[None] | None,
                         items: AsyncIterator[Item]) -> None:
        if previous is not None:
            with contextlib.suppress(Exception):
                await previous
        mine = asyncio.current_task()
        try:
            async for item in items:
                if self._turn is mine:
                    self._taken.set()
                await self._send([item])
        except SessionOver as over:
            self._failed = over
        except Exception:
            log.exception("voice session %s: a turn failed", self.call.call_id)
        finally:
            if self._turn is mine:
                self._taken.set()

    async def _turn_done(self) -> None:
        while self._turn is not None and not self._turn.done():
            await asyncio.wait([self._turn])

    async def _stop_turn(self) -> None:
        if self._turn is not None and not self._turn.done():
            self._turn.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._turn

    async def _settle(self) -> None:
        """Wait until the scheduled turn has taken its utterance (before cancel or `end`)."""
        await self._taken.wait()

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
        # speech over the reply's audio; speech before any of it plays (frames in flight when
        # the device heard `final`) is the next turn, so the caller still hears this answer
        if started and time.monotonic() < self._playing_until:
            self._playing_until = 0.0
            await self.link.send_event(StopAudio())
            await self.call.barge_in()
        await self._send(items)
        if self.call.utterance_over and self._taken.is_set():
            self._endpoint_answered = True
            self._start_turn(self.call.stream())

    async def end_of_audio(self) -> None:
        """`end` from the device. When the endpointer already answered this utterance and no
        speech followed, the trailing audio is dropped instead of answered a second time."""
        await self._settle()
        if self._endpoint_answered:
            self._endpoint_answered = False
            await self.call.cancel()
            await self.link.send_event(TurnEnd(empty=True))
            return
        self._start_turn(self.call.stream())

    async def on_control(self, text: str) -> None:
        try:
            message = parse(text, self.requests)
        except WireError as exc:
            await self.on_bad_control(exc)
            return
        await self.dispatch(message)

    async def on_bad_control(self, exc: WireError) -> None:
        if exc.kind == "config":
            await self.link.error("bad-order", "config was already received")
        else:
            await self.link.error(exc.code, str(exc))

    async def dispatch(self, message: WireMessage) -> None:
        match message:
            case EndOfAudio():
                await self.end_of_audio()
            case Cancel():
                await self._settle()
                await self.call.cancel()
                await self.link.send_event(Cancelled())
            case TypedText(text=text):
                await self._typed(text)
            case Repeat():
                await self._settle()
                self._start_turn(self._later(self.call.repeat))
            case Slower() | Faster():
                slow = isinstance(message, Slower)
                self._start_turn(self._later(lambda: self.call.set_slow(slow)))
            case Config():
                await self.link.error("bad-order", "config was already received")
            case _:
                await self.link.error("unknown-message", f"unexpected {message.TYPE!r}")

    async def _typed(self, text: str) -> None:
        limit = self.link.limits.max_text_chars
        problem = text_problem(text)
        if len(text) > limit:
            await self.link.error("too-large", f"text is {len(text)} characters; limit {limit}")
        elif problem:
            await self.link.error("bad-text", problem)
        else:
            log.info("typed turn on %s: %s", self.call.call_id, mask_pii(text))
            await self._settle()
            self._start_turn(self.call.stream_text(text))

    async def _later(self, make: Callable[[], Any]) -> AsyncIterator[Item]:
        """A button's answer (repeat, pace), made when its turn comes."""
        items: list[Item] = await make()
        for item in items:
            yield item

    async def _send(self, items: list[Item]) -> None:
        seconds = await self.link.send_items(items)
        if seconds:
            self._playing_until = max(self._playing_until, time.monotonic()) + seconds

    async def _close(self, reason: str) -> None:
        try:
            await self.link.send_event(SessionEnd(reason))
            async with asyncio.timeout(self.link.limits.idle_timeout_s):
                await self.link.ws.close(1000)
        except (SessionOver, TimeoutError, RuntimeError, OSError, WebSocketDisconnect):
            pass
