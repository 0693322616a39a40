"""A small `/v1/voice` client: plays PCM as a smart speaker would and collects the answer.

Used by `assistant device`, `assistant turn` and the channel tests. Protocol:
docs/voice-protocol.md.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets

from audio.formats import convert
from audio.types import AudioFormat

DEVICE_RATES = (8000, 48000)
QUIET_S = 0.4


@dataclass
class DeviceResult:
    session_id: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)
    sample_rate: int = 16000
    closed_by_server: bool = False

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == kind]

    @property
    def transcript(self) -> str:
        return " ".join(str(e.get("text", "")) for e in self.of_type("final")).strip()

    @property
    def replies(self) -> list[str]:
        return [str(t) for e in self.of_type("reply") for t in e.get("texts", [])]


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
        self.config: dict[str, Any] = {"type": "config", "sample_rate": rate,
                                       "device_id": device_id}
        if lang:
            self.config["lang"] = lang
        if session_id:
            self.config["session_id"] = session_id
        self.result = DeviceResult(sample_rate=rate)
        self.on_event = on_event
        self._ws: Any = None
        self._turn_ends = 0
        self._finals = 0

    async def __aenter__(self) -> VoiceDevice:
        headers = {"Authorization": f"Bearer {self.token}"}
        self._ws = await websockets.connect(self.url, additional_headers=headers,
                                            max_size=2**24)
        await self._ws.send(json.dumps(self.config))
        ready = await self._next(30.0)
        if ready is None or ready.get("type") != "ready":
            raise ConnectionError(f"the gateway did not accept the config: {ready}")
        self.result.session_id = str(ready.get("session_id"))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._ws.close()

    async def send(self, message: dict[str, Any]) -> None:
        await self._ws.send(json.dumps(message, ensure_ascii=False))

    async def talk(self, pcm: bytes, chunk_ms: int = 100, realtime: bool = False,
                   timeout_s: float = 60.0) -> DeviceResult:
        """Stream `pcm`, say `end` unless the server already heard an endpoint, await replies."""
        rate = int(self.config["sample_rate"])
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
            await self.send({"type": "end"})
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

    async def _next(self, wait_s: float) -> dict[str, Any] | None:
        """The next JSON event (binary audio is collected on the way), or None when quiet."""
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
            event: dict[str, Any] = json.loads(frame)
            self._note(event)
            return event

    def _note(self, event: dict[str, Any]) -> None:
        self.result.events.append(event)
        kind = event.get("type")
        if kind == "final":
            self._finals += 1
        elif kind == "turn-end":
            self._turn_ends += 1
        elif kind == "end":
            self.result.closed_by_server = True
        if self.on_event is not None:
            self.on_event(event)


async def play_as_device(url: str, token: str, pcm: bytes, fmt: AudioFormat,
                         lang: str | None = None, session_id: str | None = None,
                         realtime: bool = False,
                         on_event: Callable[[dict[str, Any]], None] | None = None,
                         ) -> DeviceResult:
    """One spoken turn (or several, if the audio holds several utterances) as a device."""
    data, rate = device_pcm(pcm, fmt)
    async with VoiceDevice(url, token, lang, session_id, rate, on_event=on_event) as device:
        return await device.talk(data, realtime=realtime)
