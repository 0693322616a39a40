"""Text to speech with pyttsx3 on the espeak-ng driver, returned as PCM at the channel's rate.

pyttsx3 blocks and is not thread-safe, so exactly one worker thread owns the engine and takes
requests from a queue; callers get a Future (sync) or await it (async). A reply is synthesised
sentence by sentence (`split_sentences`): every sentence is queued at once, the first plays while
the rest are made, and a Future not yet started can be cancelled (barge-in). Long numbers are spoken
in digit groups (`audio.textnorm`). Fixed prompts can be cached (LRU keyed by text, language,
speaking rate and output rate).
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from audio.types import AudioFormat, Speech, TtsError

from .formats import resample, to_mono, to_samples
from .speakable import speakable_numbers

log = logging.getLogger(__name__)

DEFAULT_VOICES = {"ru": "ru", "en": "en-us", "ko": "ko"}
ESPEAK_FORMAT = AudioFormat(rate=22050)  # what libespeak-ng produces for its own voices
INSTALL_HINT = "install espeak-ng with `apt-get install -y espeak-ng libespeak-ng1`"


@dataclass(frozen=True)
class TtsRequest:
    text: str
    lang: str
    voice: str
    rate_wpm: int
    out_rate: int


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«(]?[A-ZА-ЯЁ0-9])")


def split_sentences(text: str) -> list[str]:
    """A reply in sentences, so that the first can play while the rest are synthesised:
    'Записала. Приём завтра в 10:30.' -> ['Записала.', 'Приём завтра в 10:30.']."""
    return [part for part in (p.strip() for p in _SENTENCE_END.split(text)) if part]


class TtsEngine:
    """One pyttsx3 engine in one worker thread. `close()` stops the thread."""

    def __init__(
        self,
        voices: Mapping[str, str] | None = None,
        rate: int = 170,
        slow_rate: int = 120,
        cache_size: int = 256,
    ) -> None:
        self.voices = dict(DEFAULT_VOICES if voices is None else voices)
        self.rate = rate
        self.slow_rate = slow_rate
        self.cache_size = cache_size
        self.cache_hits = 0
        self.syntheses = 0
        self._cache: OrderedDict[TtsRequest, Speech] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._queue: queue.Queue[tuple[TtsRequest, Future[Speech]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def rate_for(self, slow: bool = False) -> int:
        return self.slow_rate if slow else self.rate

    def voice_for(self, lang: str) -> str:
        voice = self.voices.get(lang)
        if voice is None:
            raise TtsError(f"no TTS voice configured for '{lang}' (tts.voices in config.yml)")
        return voice

    def request(
        self, text: str, lang: str, rate: int | None = None, out_rate: int = 16000
    ) -> TtsRequest:
        return TtsRequest(
            text=speakable_numbers(text.strip(), lang),
            lang=lang,
            voice=self.voice_for(lang),
            rate_wpm=rate or self.rate,
            out_rate=out_rate,
        )

    def submit(self, req: TtsRequest, cache: bool = False) -> Future[Speech]:
        future: Future[Speech] = Future()
        cached = self._cached(req) if cache else None
        if cached is not None:
            future.set_result(cached)
            return future
        if cache:
            future.add_done_callback(lambda f: self._store(req, f))
        self._ensure_worker()
        self._queue.put((req, future))
        return future

    def synthesize_blocking(
        self,
        text: str,
        lang: str,
        rate: int | None = None,
        out_rate: int = 16000,
        cache: bool = False,
    ) -> Speech:
        return self.submit(self.request(text, lang, rate, out_rate), cache).result()

    async def synthesize(
        self,
        text: str,
        lang: str,
        rate: int | None = None,
        out_rate: int = 16000,
        cache: bool = False,
    ) -> Speech:
        """`text` spoken in `lang` at `rate` wpm (default from config), PCM at `out_rate` Hz."""
        req = self.request(text, lang, rate, out_rate)
        return await asyncio.wrap_future(self.submit(req, cache))

    def close(self) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout=10)
        self._thread = None

    # --- cache ---------------------------------------------------------------------------

    def _cached(self, req: TtsRequest) -> Speech | None:
        with self._cache_lock:
            speech = self._cache.get(req)
            if speech is not None:
                self._cache.move_to_end(req)
                self.cache_hits += 1
            return speech

    def _store(self, req: TtsRequest, future: Future[Speech]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        with self._cache_lock:
            self._cache[req] = future.result()
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    # --- the worker ------------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="tts", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        engine: Any = None
        while (item := self._queue.get()) is not None:
            req, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if engine is None:
                    engine = _init_engine()
                future.set_result(self._render(engine, req))
            except Exception as exc:
                error = exc if isinstance(exc, TtsError) else TtsError(f"TTS failed: {exc}")
                future.set_exception(error)

    def _render(self, engine: Any, req: TtsRequest) -> Speech:
        fmt = AudioFormat(rate=req.out_rate)
        if not req.text:
            return Speech(fmt=fmt, pcm=b"")
        # the driver's static setters act at once; engine.setProperty would wait for runAndWait
        driver = type(engine.proxy._driver)
        try:
            driver.setProperty("voice", req.voice)
        except ValueError as exc:
            raise TtsError(f"espeak-ng has no voice '{req.voice}' for '{req.lang}'") from exc
        driver.setProperty("rate", req.rate_wpm)
        pcm = _synthesize_pcm(req.text)
        if not pcm:
            raise TtsError(f"espeak-ng produced no audio for a {len(req.text)}-character text")
        samples = to_mono(to_samples(pcm, ESPEAK_FORMAT))
        samples = resample(samples, ESPEAK_FORMAT.rate, req.out_rate)
        self.syntheses += 1
        return Speech(fmt=fmt, pcm=samples.astype("<i2").tobytes())


def _synthesize_pcm(text: str, timeout_s: float = 60.0) -> bytes:
    """Synthesize with the espeak-ng binding that pyttsx3 ships, collecting every buffer.

    pyttsx3 2.99's own `save_to_file` loses or repeats up to a second of audio: espeak-ng calls
    back from its own thread, and the driver writes the file before appending the last buffer.
    Here the buffers are gathered until espeak-ng reports the message finished.
    """
    from pyttsx3.drivers import _espeak

    chunks: list[bytes] = []
    finished = threading.Event()

    def on_synth(wav: Any, numsamples: int, events: Any) -> int:
        if numsamples > 0:
            chunks.append(ctypes.string_at(wav, numsamples * 2))
        i = 0
        while events[i].type != _espeak.EVENT_LIST_TERMINATED:
            if events[i].type == _espeak.EVENT_MSG_TERMINATED:
                finished.set()
            i += 1
        return 0

    _espeak.SetSynthCallback(on_synth)
    _espeak.Synth(text.encode("utf-8"), flags=_espeak.ENDPAUSE | _espeak.CHARS_UTF8)
    _espeak.Synchronize()
    if not finished.wait(timeout_s):
        _espeak.Cancel()
        raise TtsError("espeak-ng did not finish speaking")
    return b"".join(chunks)


def _init_engine() -> Any:
    """pyttsx3 on espeak-ng. Finds libespeak-ng.so.1 itself (no libespeak.so.1 symlink needed)."""
    try:
        import pyttsx3
    except (ImportError, OSError, RuntimeError) as exc:
        raise TtsError(f"pyttsx3 cannot load libespeak-ng ({exc}): {INSTALL_HINT}") from exc
    try:
        return pyttsx3.init("espeak")
    except (OSError, RuntimeError) as exc:
        raise TtsError(f"pyttsx3 could not start espeak-ng ({exc}): {INSTALL_HINT}") from exc
