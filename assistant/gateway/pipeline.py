"""The voice pipeline: audio chunks -> ASR -> dialogue -> TTS, as typed events with timings.

`VoiceStack` holds what a gateway process shares (Vosk models, the TTS worker, the dialogue
client). A `Conversation` is one caller's spoken session on any channel:

    async with Conversation(stack, "call-1", "phone", "ru", out_rate=8000) as talk:
        events = await talk.greet()
        for chunk in audio:
            events = await talk.hear(chunk)          # stt-start, stt-partial
            if talk.utterance_over:
                async for event in talk.stream():    # stt-final ... tts-end(speech) ... run-end
                    ...                              # each event as soon as its stage is done

Events stream as each stage finishes, as Home Assistant's assist pipeline does: the final
transcript goes out before the dialogue runs, and the reply is synthesised sentence by sentence
(every sentence queued at once), so the first sentence plays while the rest are made.
`respond()` / `respond_text()` collect the same events into a list.

Early endpointing: while the dialogue expects a restricted answer (its `expect` event) and the
recognizer's partial already holds a complete one (`assistant.gateway.answer_complete`), the
utterance ends after `endpointing.<channel>.early_silence_ms` instead of the channel's full
silence. Speech within that short silence continues the same utterance (the endpointer starts
its count again, and a longer answer that is no longer complete waits the full silence).

Barge-in: `barge_in()` cancels the reply's synthesis not yet started and drops its remaining
sentences; `last_reply` keeps the whole reply text, and `reply_cut` says it was cut, so a repeat
says all of it.

Every turn ends with a run-end event, also after an error; every error code is spoken as its
fallback line, so a caller never hears silence.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from assistant.gateway.answer_complete import Expectation, is_complete
from assistant.gateway.contracts import BotReply, Channel, Lang, PipelineEvent, UserTurn
from assistant.gateway.contracts import PipelineEventType as Ev
from assistant.gateway.dialogue import DialogueClient
from assistant.gateway.fallbacks import fallback_line
from assistant.gateway.metrics import ASR_FINAL, FIRST_AUDIO, TTS
from assistant.settings import Settings
from audio.asr import ModelRegistry, resolve_model_paths
from audio.endpointing import EndpointConfig, EndpointEventType
from audio.session import AsrEngine, AsrSession
from audio.speakable import rate_request
from audio.tts import TtsEngine, split_sentences
from audio.types import AudioChunk, NoSpeechError, PipelineError, Speech, Transcript

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnTiming:
    """One spoken turn's timing, for the phone bench and tests (`VoiceStack.observers`)."""

    session_id: str
    early: bool  # the utterance ended after the early (short) silence
    silence_ms: int  # the trailing silence that ended it
    endpoint_at: float  # time.monotonic() of the endpoint decision
    first_audio_at: float  # time.monotonic() when the first reply audio was ready


@dataclass
class VoiceStack:
    """Process-wide: one model per language, one TTS thread, one dialogue client."""

    settings: Settings
    asr: AsrEngine
    tts: TtsEngine
    dialogue: DialogueClient
    observers: list[Callable[[TurnTiming], None]] = field(default_factory=list)

    @classmethod
    def from_settings(
        cls, settings: Settings, dialogue: DialogueClient | None = None
    ) -> VoiceStack:
        models_dir = settings.resolve(settings.asr.models_dir)
        registry = ModelRegistry(resolve_model_paths(models_dir, settings.asr.models))
        tts = TtsEngine(settings.tts.voices, settings.tts.rate, settings.tts.slow_rate)
        client = dialogue or DialogueClient.from_settings(settings)
        return cls(settings, AsrEngine(registry), tts, client)

    async def aclose(self) -> None:
        self.tts.close()
        self.asr.close()
        await self.dialogue.aclose()


def _ms(since: float) -> float:
    return round(1000.0 * (time.perf_counter() - since), 1)


class Conversation:
    """One spoken session. Open it with `async with`. A channel may hear audio while a turn's
    events stream in another task (barge-in); the speech recognizer is used by one at a time."""

    def __init__(self, stack: VoiceStack, session_id: str, channel: Channel, lang: Lang,
                 out_rate: int = 16000) -> None:
        self.stack = stack
        self.session_id = session_id
        self.channel = channel
        self.lang: Lang = lang
        self.out_rate = out_rate
        self.slow = False
        self.closed = False
        self.grammar: list[str] | None = None
        self.expect: Expectation | None = None  # the restricted answer the dialogue waits for
        self.last_reply = ""  # the whole text of the last reply (a repeat says all of it)
        self.reply_cut = False  # the caller spoke over the last reply
        self._silences = 0
        self._speaking = False
        self._early = False  # this utterance may end after the early silence
        self._asr: AsrSession | None = None
        self._asr_lang: Lang | None = None
        self._asr_lock = asyncio.Lock()
        self._exit = AsyncExitStack()
        self._endpoint: tuple[float, int, bool] | None = None  # (monotonic, silence_ms, early)
        self._timing: tuple[float, int, bool] | None = None  # the turn being answered
        self._cut = False  # barge-in during the turn being answered
        self._pending: list[asyncio.Future[Speech]] = []  # synthesis of the reply's sentences
        self._endpointing: EndpointConfig | None = None

    @property
    def endpointing(self) -> EndpointConfig:
        if self._endpointing is None:
            row = self.stack.settings.endpointing_for(self.channel)
            self._endpointing = EndpointConfig.from_mapping(row.model_dump())
        return self._endpointing

    async def __aenter__(self) -> Conversation:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cancel_pending()
        await self._exit.aclose()
        self._asr = None

    async def _open_asr(self) -> None:
        """Opened on the first audio (and again after a language switch), so that text and
        keypad turns work even where no speech model for the language is installed."""
        await self._exit.aclose()
        self._exit = AsyncExitStack()
        session = self.stack.asr.session(self.lang, self.endpointing)
        self._asr = await self._exit.enter_async_context(session)
        self._asr_lang = self.lang
        self._early = False  # a new endpointer waits the full silence

    @property
    def utterance_over(self) -> bool:
        return self._asr is not None and self._asr.done is not None

    async def hear(self, chunk: AudioChunk) -> list[PipelineEvent]:
        """Feed audio; events for speech start and new partial text.

        Raises ModelMissingError when no model serves the language, AudioFormatError for a
        malformed chunk; the conversation stays usable after either."""
        async with self._asr_lock:
            if self._asr is None or self._asr_lang != self.lang:
                await self._open_asr()
                await self._set_grammar()
            assert self._asr is not None
            update = await self._asr.feed(chunk)
            events: list[PipelineEvent] = []
            for event in update.events:
                if event.type is EndpointEventType.SPEECH_START and not self._speaking:
                    self._speaking = True
                    events.append(PipelineEvent(Ev.STT_START, {"at_ms": event.at_ms}))
            done = update.done
            if done is not None and done.type is EndpointEventType.END_OF_UTTERANCE \
                    and self._endpoint is None:
                cfg = self.endpointing
                early = done.early
                silence = min(cfg.early_silence_ms, cfg.silence_ms) if early else cfg.silence_ms
                self._endpoint = (time.monotonic(), silence, early)
            elif update.partial is not None and self._speaking and update.done is None:
                self._early_check(self._asr, update.partial.text)
            if update.partial is not None and update.partial.text and self._speaking:
                events.append(PipelineEvent(Ev.STT_PARTIAL, {"text": update.partial.text}))
            return events

    def _early_check(self, asr: AsrSession, text: str) -> None:
        """A complete restricted answer ends after the early silence; anything else (it may
        have grown past complete) waits the full silence."""
        early_ms = self.endpointing.early_silence_ms
        early = early_ms > 0 and is_complete(self.expect, text, self.lang)
        if early != self._early:
            self._early = early
            asr.shorten_silence(early_ms if early else None)

    async def cancel(self) -> None:
        """Drop the utterance being heard (a cancel button, keypad entry, or hang-up)."""
        self._speaking = False
        self._early = False
        self._endpoint = None
        async with self._asr_lock:
            if self._asr is not None:
                await self._asr.cancel()

    async def barge_in(self) -> None:
        """The caller spoke over the reply: the channel stops playback; here the synthesis not
        yet started is cancelled and the rest of the reply dropped. `last_reply` stays whole."""
        self._cut = True
        if self.last_reply:
            self.reply_cut = True
        self._cancel_pending()
        log.info("barge-in on session %s: the reply is cut", self.session_id)

    def _cancel_pending(self) -> None:
        for future in self._pending:
            future.cancel()

    async def greet(self) -> list[PipelineEvent]:
        return [event async for event in self._speak_line("greeting")]

    async def open_with(self, intent: str, entities: dict[str, str]) -> list[PipelineEvent]:
        """Instead of the greeting: the gateway's own trigger turn, for a call the assistant
        placed (a reminder, assistant.gateway.reminder_calls)."""
        started = time.perf_counter()
        events: list[PipelineEvent] = []
        try:
            turn = UserTurn(self.session_id, self.channel, self.lang, "", None)
            reply = await self.stack.dialogue.send_trigger(turn, intent, entities)
            await self._adopt(reply)
            events.append(PipelineEvent(Ev.DIALOGUE_END, {
                "replies": [{"text": m.text} for m in reply.messages],
                "events": [{"type": e.type, **e.data} for e in reply.events],
                "ms": _ms(started)}))
            text = reply.text or fallback_line("internal", self.lang)
            events += [event async for event in self._speak(text)]
        except PipelineError as exc:
            events += [event async for event in self._error(exc)]
        events.append(PipelineEvent(Ev.RUN_END, {"ms": _ms(started)}))
        return events

    async def respond(self) -> list[PipelineEvent]:
        """`stream()`, collected."""
        return [event async for event in self.stream()]

    async def respond_text(self, text: str) -> list[PipelineEvent]:
        """`stream_text()`, collected."""
        return [event async for event in self.stream_text(text)]

    async def stream(self) -> AsyncIterator[PipelineEvent]:
        """The utterance is over: final transcript, dialogue turn and speech, each event as soon
        as its stage is done. Ends with run-end."""
        if self._asr is None:
            raise RuntimeError("stream() comes after hear() has ended an utterance")
        started = time.perf_counter()
        self._cut = False
        try:
            async with self._asr_lock:
                asr = self._asr
                done = asr.done
                self._speaking = self._early = False
                self._timing, self._endpoint = self._endpoint, None
                silent = done is not None and done.type is EndpointEventType.NO_SPEECH_TIMEOUT
                if silent:
                    await asr.cancel()
                    final = None
                else:
                    final = await asr.finish()
            if final is None:
                async for event in self._on_silence():
                    yield event
            else:
                ASR_FINAL.observe(time.perf_counter() - started)
                yield PipelineEvent(Ev.STT_FINAL, self._final_data(final, started))
                if not final.text.strip():
                    raise NoSpeechError("the utterance held no recognisable words")
                self._silences = 0
                async for event in self._turn(final.text, final):
                    yield event
        except PipelineError as exc:
            async for event in self._error(exc):
                yield event
        except Exception as exc:  # a caller hears an apology, never silence or a trace
            log.exception("unexpected failure in session %s", self.session_id)
            async for event in self._error(self._internal(exc)):
                yield event
        self._timing = None
        yield PipelineEvent(Ev.RUN_END, {"ms": _ms(started), "cut": self._cut})

    async def stream_text(self, text: str) -> AsyncIterator[PipelineEvent]:
        """A turn without ASR: keypad digits on the phone, or typed text."""
        started = time.perf_counter()
        self._cut = False
        try:
            async for event in self._turn(text, None):
                yield event
        except PipelineError as exc:
            async for event in self._error(exc):
                yield event
        except Exception as exc:
            log.exception("unexpected failure in session %s", self.session_id)
            async for event in self._error(self._internal(exc)):
                yield event
        yield PipelineEvent(Ev.RUN_END, {"ms": _ms(started), "cut": self._cut})

    def _final_data(self, final: Transcript, started: float) -> dict[str, Any]:
        words = [{"word": w.word, "start": w.start, "end": w.end, "conf": w.conf}
                 for w in final.words]
        return {"text": final.text, "confidence": final.confidence, "words": words,
                "ms": _ms(started)}

    async def _turn(self, text: str, transcript: Transcript | None,
                    ) -> AsyncIterator[PipelineEvent]:
        change = rate_request(text)
        if change is not None:
            self.slow = change == "slower"
            async for event in self._speak_line("slower" if self.slow else "faster"):
                yield event
            return
        turn = UserTurn(self.session_id, self.channel, self.lang, text, transcript)
        started = time.perf_counter()
        yield PipelineEvent(Ev.DIALOGUE_START, {"text": text})
        reply = await self.stack.dialogue.send(turn)
        self._apply(reply)
        text_out = reply.text or fallback_line("internal", self.lang)
        speech = self._synthesis(text_out)  # started before the grammar is set: sooner audio
        async with self._asr_lock:
            await self._set_grammar()
        replies = [{"text": m.text} for m in reply.messages]
        dialogue_events = [{"type": e.type, **e.data} for e in reply.events]
        yield PipelineEvent(Ev.DIALOGUE_END, {"replies": replies, "events": dialogue_events,
                                              "ms": _ms(started)})
        async for event in speech:
            yield event

    async def _adopt(self, reply: BotReply) -> None:
        """`_apply`, and the reply's grammar set on the recognizer."""
        self._apply(reply)
        async with self._asr_lock:
            await self._set_grammar()

    def _apply(self, reply: BotReply) -> None:
        """Dialogue events that change the voice session: grammar, expectation, language, end
        (the grammar is set on the recognizer by `_set_grammar`)."""
        self.grammar = None
        self.expect = None
        for event in reply.events:
            if event.type == "expect":
                phrases = event.data.get("phrases")
                self.grammar = [str(p) for p in phrases] if isinstance(phrases, list) else None
                self.expect = Expectation.from_event(event.data)
            elif event.type == "language" and event.data.get("lang") in ("ru", "en"):
                self.lang = event.data["lang"]
            elif event.type in ("end_session", "handoff"):
                self.closed = True

    async def _set_grammar(self) -> None:
        if self._asr is None or self._asr_lang != self.lang:
            return  # applied when the session (re)opens on the next audio
        try:
            await self._asr.set_grammar(self.grammar or None)
        except (PipelineError, ValueError) as exc:
            log.warning("keeping open vocabulary for session %s: %s", self.session_id, exc)
            self.grammar = None

    async def _on_silence(self) -> AsyncIterator[PipelineEvent]:
        """Reprompt once; the second silence closes the session politely."""
        self._silences += 1
        yield PipelineEvent(Ev.ERROR, {"code": "asr-no-speech"})
        if self._silences >= 2:
            self.closed = True
            async for event in self._speak_line("goodbye-silence"):
                yield event
            yield PipelineEvent(Ev.DIALOGUE_END, {"replies": [], "events": [
                {"type": "end_session", "reason": "silence"}]})
            return
        async for event in self._speak_line("reprompt"):
            yield event

    def _internal(self, exc: Exception) -> PipelineError:
        return PipelineError(f"unexpected {type(exc).__name__}; see the log")

    async def _error(self, exc: PipelineError) -> AsyncIterator[PipelineEvent]:
        log.warning("session %s: %s (%s)", self.session_id, exc.code, exc.message)
        yield PipelineEvent(Ev.ERROR, {"code": exc.code, "message": exc.message})
        async for event in self._speak_line(exc.code):
            yield event

    def _speak_line(self, code: str) -> AsyncIterator[PipelineEvent]:
        return self._speak(fallback_line(code, self.lang), cache=True)

    def _speak(self, text: str, cache: bool = False) -> AsyncIterator[PipelineEvent]:
        return self._synthesis(text, cache)

    def _synthesis(self, text: str, cache: bool = False) -> AsyncIterator[PipelineEvent]:
        """Queue every sentence of `text` now; the events follow as each is ready."""
        tts = self.stack.tts
        rate = tts.rate_for(self.slow)
        sentences = split_sentences(text) or [text]
        self.last_reply, self.reply_cut = text, False
        try:
            futures = [asyncio.wrap_future(tts.submit(
                tts.request(s, self.lang, rate, self.out_rate), cache)) for s in sentences]
        except PipelineError as exc:  # no voice for the language
            return self._tts_failed(text, exc)
        self._pending = futures
        return self._sentences(sentences, futures)

    async def _tts_failed(self, text: str, exc: PipelineError) -> AsyncIterator[PipelineEvent]:
        log.error("TTS failed for session %s: %s", self.session_id, exc.message)
        yield PipelineEvent(Ev.TTS_START, {"text": text})
        yield PipelineEvent(Ev.ERROR, {"code": exc.code, "text": text})

    async def _sentences(self, sentences: list[str], futures: list[asyncio.Future[Speech]],
                         ) -> AsyncIterator[PipelineEvent]:
        """Sentence by sentence, each yielded as soon as it is ready, in order; a barge-in
        cancels the ones not started and drops the rest."""
        started = time.perf_counter()
        try:
            for sentence, future in zip(sentences, futures, strict=True):
                if self._cut:
                    return
                yield PipelineEvent(Ev.TTS_START, {"text": sentence})
                await asyncio.wait([future])
                if future.cancelled():
                    return  # barge-in
                error = future.exception()
                if isinstance(error, PipelineError):
                    log.error("TTS failed for session %s: %s", self.session_id, error.message)
                    yield PipelineEvent(Ev.ERROR, {"code": error.code, "text": sentence})
                    return
                if error is not None:
                    raise error
                self._first_audio()
                TTS.observe(time.perf_counter() - started)
                yield PipelineEvent(Ev.TTS_END, {"text": sentence, "speech": future.result(),
                                                 "ms": _ms(started)})
                started = time.perf_counter()
        finally:
            for future in futures:
                future.cancel()
            self._pending = []

    def _first_audio(self) -> None:
        """The first reply audio of a spoken turn is ready: metrics and observers."""
        if self._timing is None:
            return
        endpoint_at, silence_ms, early = self._timing
        self._timing = None
        now = time.monotonic()
        FIRST_AUDIO.observe(now - endpoint_at + silence_ms / 1000.0)
        timing = TurnTiming(self.session_id, early, silence_ms, endpoint_at, now)
        for observer in self.stack.observers:
            observer(timing)
def speech_of(events: list[PipelineEvent]) -> list[Speech]:
    """The reply audio in a list of events, in order."""
    return [e.data["speech"] for e in events if e.type is Ev.TTS_END and "speech" in e.data]
