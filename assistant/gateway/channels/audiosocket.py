"""The phone hotline over Asterisk AudioSocket (TCP): one `PhoneCall` per connection.

Asterisk (`AudioSocket(uuid,host:port)` in the dialplan) connects, sends the call's UUID first,
then 20 ms frames of 8 kHz signed-linear audio, DTMF digits, and a hangup. The caller hears the
greeting first. Replies go back as 20 ms audio frames paced in real time, sentence by sentence
as they are synthesised: each turn runs in a task of its own while the caller's audio is still
read, so when the caller speaks over a reply (barge-in) or presses a key, the queued audio is
dropped at once and the reply's synthesis not yet started is cancelled. Digits
ended by `#` answer number questions as a typed turn (`*` clears them; at most
`channels.max_dtmf_digits` are kept). A handoff ends the session cleanly (the handoff line, a
hangup frame, then the close), so the dialplan goes on: it asks `GET /v1/calls/<uuid>/route`
(assistant.gateway.operator_route) and queues the caller (docs/asterisk-dialplan.md). Protocol
errors, idle callers, over-long calls and peers that stop reading end only their own call.

Admission (assistant.gateway.admission): a call over `asr.max_streams`, or any new call while
the gateway drains, hears the "lines-busy" line and is hung up (the dialplan goes on); a call
still going at the drain deadline hears the "gateway-closing" line, then the hangup.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from assistant.gateway.admission import Admission
from assistant.gateway.channels.audiosocket_protocol import (
    AUDIO_RATE,
    FRAME_BYTES,
    FRAME_MS,
    Kind,
    Message,
    ProtocolError,
    audio,
    hangup,
    read_message,
)
from assistant.gateway.channels.call import Call, Item
from assistant.gateway.contracts import Lang
from assistant.gateway.fallbacks import fallback_line
from assistant.gateway.handoffs import HandoffRegistry
from assistant.gateway.pipeline import VoiceStack
from assistant.gateway.reminder_calls import ReminderCall, reminder_call
from assistant.settings import Settings
from audio.types import AudioChunk, AudioFormat, PipelineError, Speech

log = logging.getLogger(__name__)

PHONE_FORMAT = AudioFormat(rate=AUDIO_RATE)
MAX_PAYLOAD = 0xFFFF
LINE_LIMIT_S = 20.0  # the longest a busy or goodbye line may take to play


class CallPlayer:
    """Sends queued PCM as 20 ms AudioSocket frames in real time; `stop()` drops the queue."""

    def __init__(self, writer: asyncio.StreamWriter, send_timeout_s: float) -> None:
        self.writer = writer
        self.send_timeout_s = send_timeout_s
        self._buf = bytearray()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def playing(self) -> bool:
        return bool(self._buf)

    def play(self, pcm: bytes) -> None:
        self._buf += pcm
        self._idle.clear()
        self._wake.set()

    def stop(self) -> None:
        self._buf.clear()

    async def drain(self) -> None:
        await self._idle.wait()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            due = loop.time()
            while self._buf:
                frame = bytes(self._buf[:FRAME_BYTES]).ljust(FRAME_BYTES, b"\0")
                del self._buf[:FRAME_BYTES]
                self.writer.write(audio(frame).encode())
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that
                # lands as the drain completes, and the call would wait for its player forever
                async with asyncio.timeout(self.send_timeout_s):
                    await self.writer.drain()
                due += FRAME_MS / 1000.0
                await asyncio.sleep(max(0.0, due - loop.time()))
            self._idle.set()


class PhoneCall:
    """One AudioSocket connection, from the UUID to the hangup."""

    def __init__(self, stack: VoiceStack, settings: Settings, lang: Lang,
                 reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 handoffs: HandoffRegistry | None = None) -> None:
        self.stack = stack
        self.settings = settings
        self.handoffs = handoffs
        self.lang: Lang = lang
        self.reader = reader
        self.writer = writer
        self.limits = settings.channels
        self.player = CallPlayer(writer, settings.channels.idle_timeout_s)
        self.call_id = "?"
        self.digits = ""
        self._caller_spoke = False
        self._was_playing = False
        self._turn: asyncio.Task[None] | None = None  # the turn being answered, if any
        self._scheduled = False  # a turn is queued whose utterance is not yet taken
        self.reminder: ReminderCall | None = None  # a call the assistant placed

    async def run(self) -> str:
        """Serve the call; returns why it ended."""
        first = await self._next(time.monotonic() + self.limits.idle_timeout_s)
        if first is None or first.kind is not Kind.UUID:
            raise ProtocolError("the first message must be the call's UUID")
        self.call_id = first.call_id
        log.info("phone call %s connected (%s)", self.call_id, self.lang)
        player = asyncio.create_task(self.player.run(), name=f"play-{self.call_id}")
        try:
            async with Call(self.stack, self.call_id, "phone", self.lang, AUDIO_RATE,
                            handoffs=self.handoffs) as call:
                self.reminder = reminder_call(self.call_id)
                self._queue(await (self.reminder.open(call) if self.reminder else call.greet()))
                reason = await self._listen(call)
                if call.closed:
                    async with asyncio.timeout(self.limits.max_session_s):
                        await self._turn_done()
                        await self.player.drain()
                return reason
        finally:
            if self._turn is not None:
                self._turn.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._turn
            player.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await player

    async def _listen(self, call: Call) -> str:
        deadline = time.monotonic() + self.limits.max_session_s
        while not call.closed:
            message = await self._next(deadline)
            if message is None or message.kind is Kind.HANGUP:
                return "hangup"
            if message.kind is Kind.ERROR:
                log.warning("call %s: Asterisk reported an error %s", self.call_id,
                            message.payload.hex())
                return "peer-error"
            if message.kind is Kind.AUDIO:
                await self._audio(call, message.payload)
            elif message.kind is Kind.DTMF:
                await self._digit(call, message.digit)
            else:
                log.warning("call %s: a second UUID message, ignored", self.call_id)
        return call.end_reason or "goodbye"

    async def _next(self, deadline: float) -> Message | None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("session-limit")
        wait = min(self.limits.idle_timeout_s, left)
        limit = min(self.limits.max_frame_bytes, MAX_PAYLOAD)
        async with asyncio.timeout(wait):
            return await read_message(self.reader, limit)

    @property
    def _answering(self) -> bool:
        return self._turn is not None and not self._turn.done()

    async def _audio(self, call: Call, pcm: bytes) -> None:
        playing = self.player.playing
        if (self._was_playing and not playing and not self._caller_spoke
                and not self._answering):
            await call.cancel()  # the start-of-speech timeout counts from the prompt's end
        self._was_playing = playing
        try:
            items, started = await call.hear(AudioChunk(pcm, PHONE_FORMAT))
        except PipelineError as exc:
            log.debug("call %s: frame dropped (%s)", self.call_id, exc.code)
            return
        if started:
            self._caller_spoke = True
            await self._interrupt(call)
        self._queue(items)
        if call.utterance_over and not self._scheduled:
            self._caller_spoke = False
            self._start_turn(call.stream())

    async def _interrupt(self, call: Call) -> None:
        """Barge-in: the queued audio goes at once, the reply's synthesis stops."""
        if self.player.playing or self._answering:
            self.player.stop()
            await call.barge_in()

    async def _digit(self, call: Call, digit: str) -> None:
        await self._interrupt(call)
        keyed = self.reminder.key(digit) if self.reminder else None
        if keyed is not None:  # one key answers a reminder call's question
            self.digits, self._caller_spoke = "", False
            self._start_turn(call.stream_text(keyed))
            return
        if digit == "*":
            self.digits = ""
        elif digit == "#":
            text, self.digits = self.digits, ""
            if text:
                log.info("call %s: keypad entry of %d digits", self.call_id, len(text))
                self._caller_spoke = False
                self._start_turn(call.stream_text(text))
        elif digit.isdigit() and len(self.digits) < self.limits.max_dtmf_digits:
            self.digits += digit

    def _start_turn(self, items: AsyncIterator[Item]) -> None:
        """Answer in a task of its own (after the turn before it), so that audio is still read
        and a barge-in can stop the reply while it is being made."""
        self._scheduled = True
        self._turn = asyncio.create_task(self._play_turn(self._turn, items),
                                         name=f"turn-{self.call_id}")

    async def _play_turn(self, previous: asyncio.Task[None] | None,
                         items: AsyncIterator[Item]) -> None:
        if previous is not None:
            with contextlib.suppress(Exception):
                await previous
        mine = asyncio.current_task()
        try:
            async for item in items:
                if self._turn is mine:  # the utterance is taken: the next one may be heard
                    self._scheduled = False
                self._queue([item])
        except Exception:
            log.exception("call %s: a turn failed", self.call_id)
        finally:
            if self._turn is mine:
                self._scheduled = False

    async def _turn_done(self) -> None:
        while self._turn is not None and not self._turn.done():
            await asyncio.wait([self._turn])

    def _queue(self, items: list[Item]) -> None:
        if self.reminder is not None:
            self.reminder.observe(items)
        for item in items:
            if isinstance(item, Speech):
                self.player.play(item.pcm)


class AudioSocketServer:
    """The TCP server; `start()` binds, `close()` ends every call and unbinds."""

    def __init__(self, stack: VoiceStack, settings: Settings, host: str, port: int,
                 lang: Lang | None = None, admission: Admission | None = None,
                 handoffs: HandoffRegistry | None = None) -> None:
        self.stack = stack
        self.settings = settings
        self.handoffs = handoffs
        self.admission = admission or Admission.from_settings(settings)
        self.host = host
        self.port = port
        phone_lang = settings.channels.phone_lang or settings.default_lang
        self.lang: Lang = lang or phone_lang
        self._server: asyncio.Server | None = None
        self._calls: set[asyncio.Task[None]] = set()
        self.preloading: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        sockets = self._server.sockets
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info("AudioSocket server on %s:%d (%s)", self.host, self.port, self.lang)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        if self.preloading is not None:
            await asyncio.gather(self.preloading, return_exceptions=True)
        for task in list(self._calls):
            task.cancel()
        await asyncio.gather(*self._calls, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def _allowed(self, writer: asyncio.StreamWriter) -> bool:
        peers = self.settings.channels.audiosocket_peers
        peer = writer.get_extra_info("peername")
        return not peers or (isinstance(peer, tuple) and str(peer[0]) in peers)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._allowed(writer):
            log.warning("AudioSocket call refused from %s: not in channels.audiosocket_peers",
                        writer.get_extra_info("peername"))
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._calls.add(task)
        ticket = self.admission.admit("a phone call")
        if ticket is None:
            try:
                await self._refuse(reader, writer)
            finally:
                self._calls.discard(task)
            return
        call = PhoneCall(self.stack, self.settings, self.lang, reader, writer, self.handoffs)
        reason = "?"
        try:
            reason = await call.run()
        except ProtocolError as exc:
            reason = f"protocol error: {exc}"
        except TimeoutError as exc:
            reason = str(exc) or "idle-timeout"
        except (ConnectionError, asyncio.IncompleteReadError):
            reason = "connection lost"
        except asyncio.CancelledError:
            if ticket.absorb():  # the drain deadline: say goodbye, then hang up
                reason = "gateway draining"
                await self._say(writer, "gateway-closing")
            else:  # close(): the gateway is stopping; end this call only
                reason = "gateway stopping"
        except Exception:
            log.exception("call %s failed", call.call_id)
            reason = "internal error"
        finally:
            ticket.release()
            self._calls.discard(task)
            await _hang_up(writer, reason)
            log.info("phone call %s ended: %s", call.call_id, reason)

    async def _refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Over capacity or draining: the busy line, then a hangup (the dialplan goes on)."""
        call_id = "?"
        with contextlib.suppress(Exception):
            async with asyncio.timeout(min(2.0, self.settings.channels.idle_timeout_s)):
                first = await read_message(reader, MAX_PAYLOAD)
            if first is not None and first.kind is Kind.UUID:
                call_id = first.call_id
        reason = "refused: all lines busy"
        try:
            await self._say(writer, "lines-busy")
        except asyncio.CancelledError:
            reason = "gateway stopping"
        finally:
            await _hang_up(writer, reason)
            log.info("phone call %s %s", call_id, reason)

    async def _say(self, writer: asyncio.StreamWriter, code: str) -> None:
        """One fixed line played in real time outside any call (no ASR, no dialogue)."""
        tts = self.stack.tts
        try:
            speech = await tts.synthesize(fallback_line(code, self.lang), self.lang,
                                          tts.rate_for(False), AUDIO_RATE, cache=True)
        except PipelineError as exc:
            log.warning("the '%s' line could not be spoken: %s", code, exc.message)
            return
        player = CallPlayer(writer, self.settings.channels.idle_timeout_s)
        playing = asyncio.create_task(player.run(), name=f"line-{code}")
        player.play(speech.pcm)
        played = asyncio.create_task(player.drain())
        try:  # until played, the caller gone (the player fails), or the limit
            await asyncio.wait({played, playing}, timeout=LINE_LIMIT_S,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (played, playing):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


async def _hang_up(writer: asyncio.StreamWriter, reason: str) -> None:
    with contextlib.suppress(Exception):
        if reason not in ("hangup", "connection lost"):
            writer.write(hangup().encode())
            async with asyncio.timeout(1.0):
                await writer.drain()
        writer.close()
        async with asyncio.timeout(1.0):
            await writer.wait_closed()


async def start_phone_channel(stack: VoiceStack, settings: Settings,
                              admission: Admission | None = None,
                              handoffs: HandoffRegistry | None = None,
                              ) -> AudioSocketServer | None:
    """Started by the gateway's lifespan when channels.audiosocket_port is not 0."""
    port = settings.channels.audiosocket_port
    if port == 0:
        return None
    host = settings.channels.audiosocket_host
    server = AudioSocketServer(stack, settings, host, port, admission=admission,
                               handoffs=handoffs)
    try:
        await server.start()
    except OSError as exc:
        log.error("the AudioSocket server could not listen on %s:%d (%s); the phone channel is "
                  "off. Free the port or set channels.audiosocket_port (0 disables it).",
                  host, port, exc)
        return None
    server.preloading = asyncio.create_task(preload_model(stack, server.lang))
    return server


async def preload_model(stack: VoiceStack, lang: str) -> None:
    """Load the phone language's model now, so the first caller does not wait for it."""
    try:
        seconds = await stack.asr.preload(lang)
    except PipelineError as exc:
        log.warning("phone calls in '%s' will have no speech recognition: %s", lang, exc.message)
        return
    log.info("speech model for '%s' loaded in %.1f s", lang, seconds)
