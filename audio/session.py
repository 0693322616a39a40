"""Async speech sessions: any input format in, endpoint events and transcripts out.

    engine = AsrEngine(ModelRegistry(paths))
    async with engine.session("ru", channel_config) as session:
        update = await session.feed(AudioChunk(pcm, AudioFormat(rate=8000)))
        ...                                   # update.partial, update.events, update.done
        final = await session.finish()        # Transcript with words; ready for the next turn

Decoding runs in the engine's thread pool, never on the event loop. One session is used by one
task at a time. A malformed chunk raises AudioFormatError and leaves the session usable.

Only speech is decoded: a `SpeechGate` (audio.gate) feeds the recognizer from a short pre-roll
before each speech onset to a short hangover after the speech; the silence before the caller
speaks, the rest of the trailing silence, and what is heard while a reply plays never reach Vosk.
The gate is the endpointer's VAD, so each frame is classified once. `gate=None` decodes all.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from audio.types import PIPELINE_FORMAT, AudioChunk, AudioFormat, Transcript

from .asr import PIPELINE_RATE, ModelRegistry, RecognizerPool, StreamingRecognizer
from .endpointing import EndpointConfig, Endpointer, EndpointEvent, Vad, WebRtcVad
from .formats import StreamResampler, check_format
from .gate import GateConfig, Piece, SpeechGate

log = logging.getLogger(__name__)
T = TypeVar("T")
_BYTES_PER_MS = 2 * PIPELINE_RATE // 1000
_EMPTY = Transcript(text="", is_final=False, confidence=0.0)


@dataclass(frozen=True)
class SessionUpdate:
    partial: Transcript | None
    events: tuple[EndpointEvent, ...] = ()
    done: EndpointEvent | None = None  # the terminal event, once the utterance is over


class AsrEngine:
    """Shared models, a recognizer pool and a bounded decoding pool for every session."""

    def __init__(self, registry: ModelRegistry, workers: int | None = None) -> None:
        self.registry = registry
        self.pool = RecognizerPool(registry)
        self._executor = ThreadPoolExecutor(
            max_workers=workers or os.cpu_count() or 2, thread_name_prefix="vosk"
        )

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)

    async def preload(self, lang: str) -> float:
        """Load `lang`'s model now (off the loop); returns the load time in seconds."""
        path, _ = await self.run(self.registry.get, lang)
        return self.registry.load_seconds.get(str(path), 0.0)

    @asynccontextmanager
    async def session(
        self,
        lang: str,
        endpointing: EndpointConfig | None = None,
        grammar: Sequence[str] | None = None,
        vad: Vad | None = None,
        gate: GateConfig | None = GateConfig(),
    ) -> AsyncIterator[AsrSession]:
        """`gate`: decode only speech (pre-roll, hangover); None decodes every sample."""
        recognizer = await self.run(self.pool.acquire, lang)
        session = AsrSession(self, recognizer, endpointing, vad, gate)
        try:
            if grammar:
                await session.set_grammar(grammar)
            yield session
        finally:
            await self.run(self.pool.release, recognizer)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


@dataclass
class SessionStats:
    audio_ms: float = 0.0  # audio heard (16 kHz), up to each utterance's endpoint
    decoded_ms: float = 0.0  # the part of it fed to the recognizer (the gate drops the rest)
    decode_s: float = 0.0
    partials: int = 0
    last_partial: str = field(default="", repr=False)


class AsrSession:
    """One caller's stream. Feed chunks; `finish()` ends the utterance and readies the next."""

    def __init__(
        self,
        engine: AsrEngine,
        recognizer: StreamingRecognizer,
        endpointing: EndpointConfig | None,
        vad: Vad | None,
        gate: GateConfig | None = GateConfig(),
    ) -> None:
        self._engine = engine
        self._rec = recognizer
        self._gate: SpeechGate | None = None
        if gate is not None:
            if endpointing is not None:  # open as the endpointer starts an utterance
                gate = GateConfig(gate.preroll_ms, gate.hangover_ms, endpointing.min_speech_ms,
                                  gate.frame_ms)
            self._gate = SpeechGate(vad if vad is not None else WebRtcVad(), gate, PIPELINE_RATE)
        frame_vad = self._gate if self._gate is not None else vad
        self._endpointer = (
            Endpointer(endpointing, rate=PIPELINE_RATE, vad=frame_vad) if endpointing else None
        )
        self._resampler = StreamResampler(PIPELINE_FORMAT)
        self.stats = SessionStats()
        self.done: EndpointEvent | None = None
        self._partial = _EMPTY

    @property
    def grammar(self) -> str | None:
        return self._rec.grammar

    async def set_grammar(self, phrases: Sequence[str] | None) -> None:
        """Phrase list for the next utterance (digits, yes/no, offered times), None for open."""
        await self._engine.run(self._rec.set_grammar, phrases)

    def shorten_silence(self, silence_ms: int | None) -> None:
        """Early endpointing: end this utterance after `silence_ms` (None: the full silence)."""
        if self._endpointer is not None:
            self._endpointer.shorten(silence_ms)

    async def feed(self, chunk: AudioChunk) -> SessionUpdate:
        pcm = self._convert(chunk)
        if self.done is not None:
            return SessionUpdate(None, (), self.done)
        events: list[EndpointEvent] = []
        keep = len(pcm)
        if self._endpointer is not None:
            before_ms = self._endpointer.position_ms
            events = self._endpointer.feed(pcm)  # through the gate, as its VAD
            if self._endpointer.done is not None:
                # decode up to the terminal frame (within one frame), drop the rest
                self.done = self._endpointer.done
                cut = (self.done.at_ms - before_ms) * _BYTES_PER_MS
                keep = max(0, min(len(pcm), cut))
        self.stats.audio_ms += keep / _BYTES_PER_MS
        if self._gate is None:
            pieces = [Piece(0, pcm[:keep])] if keep else []
        else:
            pieces = self._gate.take() if self._endpointer is not None else self._gate.feed(pcm)
        if pieces:
            partial: Transcript | None = await self._decode(pieces)
        else:  # nothing new decoded: the partial stands as it was
            partial = self._partial if keep else None
        return SessionUpdate(partial, tuple(events), self.done)

    async def finish(self) -> Transcript:
        """The utterance's final transcript. Resets recognizer and endpointer for the next turn."""
        tail = self._resampler.flush()
        if self.done is None:
            self.stats.audio_ms += len(tail) / _BYTES_PER_MS
            if self._gate is not None:
                # with an endpointer, its unframed rest (under one frame) is not decoded
                pieces = self._gate.flush(tail)
                if pieces:
                    await self._decode(pieces)
            elif tail:
                await self._decode([Piece(0, tail)])
        started = time.perf_counter()
        final = await self._engine.run(self._rec.finish)
        self.stats.decode_s += time.perf_counter() - started
        self._reset()
        return final

    async def cancel(self) -> None:
        """Drop the current utterance (barge-in, hang-up) without decoding the rest."""
        await self._engine.run(self._rec.reset)
        self._reset()

    def _reset(self) -> None:
        self._resampler = StreamResampler(self._resampler.src)
        if self._endpointer is not None:
            self._endpointer.reset()
        if self._gate is not None:
            self._gate.reset()
        self.done = None
        self.stats.last_partial = ""
        self._partial = _EMPTY

    def _convert(self, chunk: AudioChunk) -> bytes:
        if chunk.fmt != self._resampler.src:
            check_format(chunk.fmt)
            self._resampler = StreamResampler(chunk.fmt)
        return self._resampler.process(chunk.pcm)

    def _accept(self, pieces: Sequence[Piece]) -> Transcript:
        for piece in pieces[:-1]:
            self._rec.skip(piece.skipped // 2)
            self._rec.accept(piece.pcm)
        self._rec.skip(pieces[-1].skipped // 2)
        return self._rec.accept(pieces[-1].pcm)

    async def _decode(self, pieces: Sequence[Piece]) -> Transcript:
        started = time.perf_counter()
        partial = await self._engine.run(self._accept, pieces)
        self.stats.decode_s += time.perf_counter() - started
        self.stats.decoded_ms += sum(len(p.pcm) for p in pieces) / _BYTES_PER_MS
        self._partial = partial
        if partial.text and partial.text != self.stats.last_partial:
            self.stats.partials += 1
            self.stats.last_partial = partial.text
        return partial


@dataclass(frozen=True)
class Transcription:
    final: Transcript
    partials: int
    audio_s: float  # heard
    decode_s: float
    final_latency_ms: float
    decoded_s: float = 0.0  # the part of audio_s fed to the recognizer

    @property
    def rtf(self) -> float:
        return self.decode_s / self.audio_s if self.audio_s else 0.0


async def transcribe(
    engine: AsrEngine,
    pcm: bytes,
    fmt: AudioFormat,
    lang: str,
    grammar: Sequence[str] | None = None,
    chunk_ms: int = 100,
    gate: GateConfig | None = GateConfig(),
) -> Transcription:
    """Stream a whole buffer through a session in `chunk_ms` chunks (no endpointing)."""
    step = max(fmt.width * fmt.channels, fmt.bytes_per_second * chunk_ms // 1000)
    step -= step % (fmt.width * fmt.channels)
    async with engine.session(lang, grammar=grammar, gate=gate) as session:
        for offset in range(0, len(pcm), step):
            await session.feed(AudioChunk(pcm[offset : offset + step], fmt))
        started = time.perf_counter()
        final = await session.finish()
        latency = 1000.0 * (time.perf_counter() - started)
        stats = session.stats
        return Transcription(
            final=final,
            partials=stats.partials,
            audio_s=stats.audio_ms / 1000.0,
            decode_s=stats.decode_s,
            final_latency_ms=latency,
            decoded_s=stats.decoded_ms / 1000.0,
        )
