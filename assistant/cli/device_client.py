"""A small `/v1/voice` client: plays PCM as a smart speaker would and collects the answer.

Used by `assistant device`, `assistant turn` and the channel tests. Protocol:
docs/voice-protocol.md; the messages are the dataclasses of `assistant.gateway.wire`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import websockets

from assistant.gateway.wire import (
    VOICE_EVENTS,
    Config,
    EndOfAudio,
    Final,
    Ready,
    Reply,
    SessionEnd,
    TurnEnd,
    UnknownMessageError,
    WireError,
    WireMessage,
    decode,
    from_dict,
)
from audio.formats import convert
from audio.types import AudioFormat

DEVICE_RATES = (8000, 48000)
QUIET_S = 0.4
M = TypeVar("M", bound=WireMessage)


@dataclass
class DeviceResult:
    """`events`: every JSON event as received (unknown types included); `messages`: the known
    ones as wire dataclasses."""

    session_id: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[WireMessage] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)
    sample_rate: int = 16000
    closed_by_server: bool = False

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == kind]

    def typed(self, cls: type[M]) -> list[M]:
        return [m for m in self.messages if isinstance(m, cls)]

    @property
    def transcript(self) -> str:
        return " ".join(m.text for m in self.typed(Final)).strip()

    @property
    def replies(self) -> list[str]:
        return [t for m in self.typed(Reply) for t in m.texts]


def device_pcm(pcm: bytes, fmt: AudioFormat) -> tuple[bytes, int]:
    """Mono 16-bit PCM at a rate the endpoint takes (8-48 kHz; others become 16 kHz)."""
    rate = fmt.rate if DEVICE_RATES[0] <= fmt.rate <= DEVICE_RATES[1] else 16000
    if fmt == AudioFormat(rate=rate):
        return pcm, rate
    return convert(pcm, fmt, AudioFormat(rate=rate)), rate


class VoiceDevice:
    """One session over one connection; `talk()` can be called for follow-up turns."""

    def __init__(self, url: str, token: str, lang: str | None = None,
                 session_id: str | None = None, rate: int = 16000, device_id: str = "cli",
                 on_event: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.url = url
        self.token = token
        try:
            self.config = Config.from_dict({"type": "config", "lang": lang or None,
                                            "sample_rate": rate, "device_id": device_id,
                                            "session_id": session_id or None})
        except WireError as exc:  # the gateway would refuse it the same way
            raise ConnectionError(f"the gateway would not accept the config: {exc}") from None
        self.result = DeviceResult(sample_rate=rate)
        self.on_event = on_event
        self._ws: Any = None
        self._turn_ends = 0
        self._finals = 0

    async def __aenter__(self) -> VoiceDevice:
        headers = {"Authorization": f"Bearer {self.token}"}
        self._ws = await websockets.connect(self.url, additional_headers=headers,
                                            max_size=2**24)
        await self.send(self.config)
        ready = await self._next(30.0)
        if not isinstance(ready, Ready):
            raise ConnectionError(f"the gateway did not accept the config: {ready}")
        self.result.session_id = ready.session_id
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._ws.close()

    async def send(self, message: WireMessage) -> None:
        await self._ws.send(message.to_json())

    async def talk(self, pcm: bytes, chunk_ms: int = 100, realtime: bool = False,
                   timeout_s: float = 60.0) -> DeviceResult:
        """Stream `pcm`, say `end` unless the server already heard an endpoint, await replies."""
        rate = self.config.sample_rate
        step = max(2, rate * 2 * chunk_ms // 1000)
        finals_before, ends_before = self._finals, self._turn_ends
        started = time.monotonic()
        for offset in range(0, len(pcm), step):
            await self._ws.send(pcm[offset:offset + step])
            await self._drain(0.0)
            if realtime:
                await asyncio.sleep(max(0.0, started + (offset + step) / (2 * rate)
                                        - time.monotonic()))
        await self._drain(0.05)
        sent_end = self._finals == finals_before
        if sent_end:
            await self.send(EndOfAudio())
        await self.wait_turns(ends_before, finals_before, sent_end, timeout_s)
        return self.result

    async def wait_turns(self, ends_before: int, finals_before: int, sent_end: bool,
                         timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.result.closed_by_server:
            want = max(self._finals - finals_before, 1 if sent_end else 0, 1)
            done = self._turn_ends - ends_before >= want
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no complete answer from the gateway")
            event = await self._next(QUIET_S if done else left)
            if event is None and done:
                return

    async def _drain(self, wait_s: float) -> None:
        while await self._next(wait_s) is not None:
            wait_s = 0.0

    async def _next(self, wait_s: float) -> WireMessage | None:
        """The next known event (binary audio and unknown events are collected on the way), or
        None when quiet."""
        while True:
            try:
                async with asyncio.timeout(max(wait_s, 0.001)):
                    frame = await self._ws.recv()
            except TimeoutError:
                return None
            except websockets.ConnectionClosed:
                self.result.closed_by_server = True
                return None
            if isinstance(frame, bytes):
                self.result.audio += frame
                continue
            event = decode(frame)
            self.result.events.append(event)
            if self.on_event is not None:
                self.on_event(event)
            try:
                message = from_dict(event, VOICE_EVENTS)
            except UnknownMessageError:
                continue  # a newer server's event: kept in `events`, not understood here
            self._note(message)
            return message

    def _note(self, message: WireMessage) -> None:
        self.result.messages.append(message)
        if isinstance(message, Final):
            self._finals += 1
        elif isinstance(message, TurnEnd):
            self._turn_ends += 1
        elif isinstance(message, SessionEnd):
            self.result.closed_by_server = True


async def play_as_device(url: str, token: str, pcm: bytes, fmt: AudioFormat,
                         lang: str | None = None, session_id: str | None = None,
                         realtime: bool = False,
                         on_event: Callable[[dict[str, Any]], None] | None = None,
                         ) -> DeviceResult:
    """One spoken turn (or several, if the audio holds several utterances) as a device."""
    data, rate = device_pcm(pcm, fmt)
    async with VoiceDevice(url, token, lang, session_id, rate, on_event=on_event) as device:
        return await device.talk(data, realtime=realtime)
