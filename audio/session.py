"""Async speech sessions: any input format in, endpoint events and transcripts out.

    engine = AsrEngine(ModelRegistry(paths))
    async with engine.session("ru", channel_config) as session:
        update = await session.feed(AudioChunk(pcm, AudioFormat(rate=8000)))
        ...                                   # update.partial, update.events, update.done
        final = await session.finish()        # Transcript with words; ready for the next turn

Decoding runs in the engine's thread pool, never on the event loop. One session is used by one
task at a time. A malformed chunk raises AudioFormatError and leaves the session usable.
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
from .endpointing import EndpointConfig, Endpointer, EndpointEvent, Vad
from .formats import StreamResampler, check_format

log = logging.getLogger(__name__)
T = TypeVar("T")
_BYTES_PER_MS = 2 * PIPELINE_RATE // 1000


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
    ) -> AsyncIterator[AsrSession]:
        recognizer = await self.run(self.pool.acquire, lang)
        session = AsrSession(self, recognizer, endpointing, vad)
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
    audio_ms: float = 0.0
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
    ) -> None:
        self._engine = engine
        self._rec = recognizer
        self._endpointer = (
            Endpointer(endpointing, rate=PIPELINE_RATE, vad=vad) if endpointing else None
        )
        self._resampler = StreamResampler(PIPELINE_FORMAT)
        self.stats = SessionStats()
        self.done: EndpointEvent | None = None

    @property
    def grammar(self) -> str | None:
        return self._rec.grammar

    async def set_grammar(self, phrases: Sequence[str] | None) -> None:
        """Phrase list for the next utterance (digits, yes/no, offered times), None for open."""
        await self._engine.run(self._rec.set_grammar, phrases)

    async def feed(self, chunk: AudioChunk) -> SessionUpdate:
        pcm = self._convert(chunk)
        if self.done is not None:
            return SessionUpdate(None, (), self.done)
        events: list[EndpointEvent] = []
        keep = len(pcm)
        if self._endpointer is not None:
            before_ms = self._endpointer.position_ms
            events = self._endpointer.feed(pcm)
            if self._endpointer.done is not None:
                # decode up to the terminal frame (within one frame), drop the rest
                self.done = self._endpointer.done
                cut = (self.done.at_ms - before_ms) * _BYTES_PER_MS
                keep = max(0, min(len(pcm), cut))
        partial = await self._decode(pcm[:keep]) if keep else None
        return SessionUpdate(partial, tuple(events), self.done)

    async def finish(self) -> Transcript:
        """The utterance's final transcript. Resets recognizer and endpointer for the next turn."""
        tail = self._resampler.flush()
        if tail and self.done is None:
            await self._decode(tail)
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
        self.done = None
        self.stats.last_partial = ""

    def _convert(self, chunk: AudioChunk) -> bytes:
        if chunk.fmt != self._resampler.src:
            check_format(chunk.fmt)
            self._resampler = StreamResampler(chunk.fmt)
        return self._resampler.process(chunk.pcm)

    async def _decode(self, pcm: bytes) -> Transcript:
        started = time.perf_counter()
        partial = await self._engine.run(self._rec.accept, pcm)
        self.stats.decode_s += time.perf_counter() - started
        self.stats.audio_ms += len(pcm) / _BYTES_PER_MS
        if partial.text and partial.text != self.stats.last_partial:
            self.stats.partials += 1
            self.stats.last_partial = partial.text
        return partial


@dataclass(frozen=True)
class Transcription:
    final: Transcript
    partials: int
    audio_s: float
    decode_s: float
    final_latency_ms: float

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
) -> Transcription:
    """Stream a whole buffer through a session in `chunk_ms` chunks (no endpointing)."""
    step = max(fmt.width * fmt.channels, fmt.bytes_per_second * chunk_ms // 1000)
    step -= step % (fmt.width * fmt.channels)
    async with engine.session(lang, grammar=grammar) as session:
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
        )
