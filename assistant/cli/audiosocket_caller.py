"""The Asterisk side of AudioSocket, for tests and the phone benchmark.

It behaves as Asterisk does: it connects, sends the call's UUID, then one 20 ms frame of 8 kHz
signed-linear audio every 20 ms in real time (the caller's speech, or silence), DTMF digits
between frames, and a hangup at the end; it records every audio frame it receives with its
arrival time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass

from assistant.gateway.channels.audiosocket_protocol import (
    FRAME_BYTES,
    FRAME_MS,
    Kind,
    ProtocolError,
    audio,
    call_uuid,
    dtmf,
    hangup,
    read_message,
)

SILENT_FRAME = bytes(FRAME_BYTES)


@dataclass(frozen=True)
class Heard:
    at: float  # time.monotonic() of arrival
    pcm: bytes


class FakeAsterisk:
    """One call. `async with FakeAsterisk(host, port) as call: await call.speak(pcm)`."""

    def __init__(self, host: str, port: int, call_id: uuid.UUID | None = None) -> None:
        self.host = host
        self.port = port
        self.call_id = call_id or uuid.uuid4()
        self.heard: list[Heard] = []
        self.hung_up = asyncio.Event()
        self._out = bytearray()
        self._sent_all = asyncio.Event()
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.last_frame_sent_at = 0.0

    async def __aenter__(self) -> FakeAsterisk:
        reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._writer.write(call_uuid(self.call_id).encode())
        self._tasks = [asyncio.create_task(self._send_loop()),
                       asyncio.create_task(self._receive_loop(reader))]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.hang_up()

    async def hang_up(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._writer is not None and not self._writer.is_closing():
            with contextlib.suppress(Exception):
                self._writer.write(hangup().encode())
                await self._writer.drain()
            self._writer.close()

    async def speak(self, pcm: bytes) -> float:
        """Queue 8 kHz PCM; returns the time its last frame left, once it has."""
        self._sent_all.clear()
        self._out += pcm
        await self._sent_all.wait()
        return self.last_frame_sent_at

    async def send_digits(self, digits: str) -> None:
        assert self._writer is not None
        for digit in digits:
            self._writer.write(dtmf(digit).encode())
            await self._writer.drain()
            await asyncio.sleep(FRAME_MS / 1000.0)

    def send_raw(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)

    def audio_after(self, since: float) -> bytes:
        return b"".join(h.pcm for h in self.heard if h.at >= since)

    def first_audio_after(self, since: float) -> float | None:
        return next((h.at for h in self.heard if h.at >= since), None)

    async def wait_audio_after(self, since: float, timeout_s: float = 30.0) -> float:
        deadline = time.monotonic() + timeout_s
        while (at := self.first_audio_after(since)) is None:
            if time.monotonic() > deadline or self.hung_up.is_set():
                raise TimeoutError("no audio from the server")
            await asyncio.sleep(0.005)
        return at

    async def wait_quiet(self, gap_s: float = 0.3, timeout_s: float = 30.0) -> None:
        """Until the server has sent audio and then nothing for `gap_s` (a prompt ended)."""
        deadline = time.monotonic() + timeout_s
        while not self.heard or time.monotonic() - self.heard[-1].at < gap_s:
            if time.monotonic() > deadline:
                raise TimeoutError("the server kept talking")
            if self.hung_up.is_set():
                return
            await asyncio.sleep(0.02)

    async def _send_loop(self) -> None:
        assert self._writer is not None
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            if self._out:
                frame = bytes(self._out[:FRAME_BYTES]).ljust(FRAME_BYTES, b"\0")
                del self._out[:FRAME_BYTES]
                last = not self._out
            else:
                frame, last = SILENT_FRAME, False
            self._writer.write(audio(frame).encode())
            await self._writer.drain()
            if last:
                self.last_frame_sent_at = time.monotonic()
                self._sent_all.set()
            due += FRAME_MS / 1000.0
            await asyncio.sleep(max(0.0, due - loop.time()))

    async def _receive_loop(self, reader: asyncio.StreamReader) -> None:
        try:
            while (message := await read_message(reader, 0xFFFF)) is not None:
                if message.kind is Kind.AUDIO:
                    self.heard.append(Heard(time.monotonic(), message.payload))
                elif message.kind is Kind.HANGUP:
                    break
        except (ProtocolError, ConnectionError):
            pass
        finally:
            self.hung_up.set()
