"""The voice pipeline: audio chunks -> ASR -> dialogue -> TTS, as typed events with timings.

`VoiceStack` holds what a gateway process shares (Vosk models, the TTS worker, the dialogue
client). A `Conversation` is one caller's spoken session on any channel:

    async with Conversation(stack, "call-1", "phone", "ru", out_rate=8000) as talk:
        events = await talk.greet()
        for chunk in audio:
            events = await talk.hear(chunk)          # stt-start, stt-partial
            if talk.utterance_over:
                events = await talk.respond()        # stt-final ... tts-end(speech) ... run-end

Every turn ends with a run-end event, also after an error; every error code is spoken as its
fallback line, so a caller never hears silence.
"""

from __future__ import annotations

import logging
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

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
from audio.tts import TtsEngine
from audio.types import AudioChunk, NoSpeechError, PipelineError, Speech, Transcript

log = logging.getLogger(__name__)


@dataclass
class VoiceStack:
    """Process-wide: one model per language, one TTS thread, one dialogue client."""

    settings: Settings
    asr: AsrEngine
    tts: TtsEngine
    dialogue: DialogueClient

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
    """One spoken session. Not shared between tasks; open it with `async with`."""

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
        self._silences = 0
        self._speaking = False
        self._asr: AsrSession | None = None
        self._asr_lang: Lang | None = None
        self._exit = AsyncExitStack()
        self._speech_end: float | None = None  # perf_counter() at the end of the caller's speech

    @property
    def endpointing(self) -> EndpointConfig:
        row = self.stack.settings.endpointing_for(self.channel)
        return EndpointConfig.from_mapping(row.model_dump())

    async def __aenter__(self) -> Conversation:
        return self

    async def __aexit__(self, *exc: object) -> None:
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

    @property
    def utterance_over(self) -> bool:
        return self._asr is not None and self._asr.done is not None

    async def hear(self, chunk: AudioChunk) -> list[PipelineEvent]:
        """Feed audio; events for speech start and new partial text.

        Raises ModelMissingError when no model serves the language, AudioFormatError for a
        malformed chunk; the conversation stays usable after either."""
        if self._asr is None or self._asr_lang != self.lang:
            await self._open_asr()
            await self._set_grammar()
        assert self._asr is not None
        events: list[PipelineEvent] = []
        update = await self._asr.feed(chunk)
        for event in update.events:
            if event.type is EndpointEventType.SPEECH_START and not self._speaking:
                self._speaking = True
                events.append(PipelineEvent(Ev.STT_START, {"at_ms": event.at_ms}))
        if update.partial is not None and update.partial.text and self._speaking:
            events.append(PipelineEvent(Ev.STT_PARTIAL, {"text": update.partial.text}))
        return events

    async def cancel(self) -> None:
        """Drop the utterance being heard (a cancel button, keypad entry, or hang-up)."""
        self._speaking = False
        if self._asr is not None:
            await self._asr.cancel()

    async def barge_in(self) -> None:
        """The caller spoke over the prompt: the channel stops playback; nothing to decode."""
        log.info("barge-in on session %s", self.session_id)

    async def greet(self) -> list[PipelineEvent]:
        return await self._speak_line("greeting")

    async def respond(self) -> list[PipelineEvent]:
        """The utterance is over: final transcript, dialogue turn and speech. Ends with run-end."""
        if self._asr is None:
            raise RuntimeError("respond() comes after hear() has ended an utterance")
        done = self._asr.done
        self._speaking = False
        events: list[PipelineEvent] = []
        started = time.perf_counter()
        try:
            if done is not None and done.type is EndpointEventType.NO_SPEECH_TIMEOUT:
                await self._asr.cancel()
                events += await self._on_silence()
                return events
            if done is not None and done.type is EndpointEventType.END_OF_UTTERANCE:
                # the endpoint fired after `silence_ms` of trailing silence: speech ended then
                self._speech_end = started - self.endpointing.silence_ms / 1000.0
            final = await self._asr.finish()
            ASR_FINAL.observe(time.perf_counter() - started)
            events.append(PipelineEvent(Ev.STT_FINAL, self._final_data(final, started)))
            if not final.text.strip():
                raise NoSpeechError("the utterance held no recognisable words")
            self._silences = 0
            events += await self._turn(final.text, final)
        except PipelineError as exc:
            events += await self._error(exc)
        except Exception as exc:  # a caller hears an apology, never silence or a trace
            events += await self._unexpected(exc)
        finally:
            self._speech_end = None
            events.append(PipelineEvent(Ev.RUN_END, {"ms": _ms(started)}))
        return events

    async def respond_text(self, text: str) -> list[PipelineEvent]:
        """A turn without ASR: keypad digits on the phone, or typed text."""
        started = time.perf_counter()
        events: list[PipelineEvent] = []
        try:
            events += await self._turn(text, None)
        except PipelineError as exc:
            events += await self._error(exc)
        except Exception as exc:
            events += await self._unexpected(exc)
        finally:
            events.append(PipelineEvent(Ev.RUN_END, {"ms": _ms(started)}))
        return events

    def _final_data(self, final: Transcript, started: float) -> dict[str, Any]:
        words = [{"word": w.word, "start": w.start, "end": w.end, "conf": w.conf}
                 for w in final.words]
        return {"text": final.text, "confidence": final.confidence, "words": words,
                "ms": _ms(started)}

    async def _turn(self, text: str, transcript: Transcript | None) -> list[PipelineEvent]:
        change = rate_request(text)
        if change is not None:
            self.slow = change == "slower"
            return await self._speak_line("slower" if self.slow else "faster")
        turn = UserTurn(self.session_id, self.channel, self.lang, text, transcript)
        started = time.perf_counter()
        events = [PipelineEvent(Ev.DIALOGUE_START, {"text": text})]
        reply = await self.stack.dialogue.send(turn)
        replies = [{"text": m.text} for m in reply.messages]
        dialogue_events = [{"type": e.type, **e.data} for e in reply.events]
        events.append(PipelineEvent(Ev.DIALOGUE_END, {"replies": replies,
                                                      "events": dialogue_events,
                                                      "ms": _ms(started)}))
        await self._apply(reply)
        text_out = reply.text or fallback_line("internal", self.lang)
        return events + await self._speak(text_out)

    async def _apply(self, reply: BotReply) -> None:
        """Dialogue events that change the voice session: grammar, language, end."""
        self.grammar = None
        for event in reply.events:
            if event.type == "expect":
                phrases = event.data.get("phrases")
                self.grammar = [str(p) for p in phrases] if isinstance(phrases, list) else None
            elif event.type == "language" and event.data.get("lang") in ("ru", "en"):
                self.lang = event.data["lang"]
            elif event.type in ("end_session", "handoff"):
                self.closed = True
        await self._set_grammar()

    async def _set_grammar(self) -> None:
        if self._asr is None or self._asr_lang != self.lang:
            return  # applied when the session (re)opens on the next audio
        try:
            await self._asr.set_grammar(self.grammar)
        except (PipelineError, ValueError) as exc:
            log.warning("keeping open vocabulary for session %s: %s", self.session_id, exc)
            self.grammar = None

    async def _on_silence(self) -> list[PipelineEvent]:
        """Reprompt once; the second silence closes the session politely."""
        self._silences += 1
        if self._silences >= 2:
            self.closed = True
            return [PipelineEvent(Ev.ERROR, {"code": "asr-no-speech"}),
                    *await self._speak_line("goodbye-silence"),
                    PipelineEvent(Ev.DIALOGUE_END, {"replies": [], "events": [
                        {"type": "end_session", "reason": "silence"}]})]
        return [PipelineEvent(Ev.ERROR, {"code": "asr-no-speech"}),
                *await self._speak_line("reprompt")]

    async def _unexpected(self, exc: Exception) -> list[PipelineEvent]:
        """Called from an `except` block: the log gets the trace, the caller the internal line."""
        log.exception("unexpected failure in session %s", self.session_id)
        return await self._error(PipelineError(f"unexpected {type(exc).__name__}; see the log"))

    async def _error(self, exc: PipelineError) -> list[PipelineEvent]:
        log.warning("session %s: %s (%s)", self.session_id, exc.code, exc.message)
        event = PipelineEvent(Ev.ERROR, {"code": exc.code, "message": exc.message})
        return [event, *await self._speak_line(exc.code)]

    async def _speak_line(self, code: str) -> list[PipelineEvent]:
        return await self._speak(fallback_line(code, self.lang), cache=True)

    async def _speak(self, text: str, cache: bool = False) -> list[PipelineEvent]:
        started = time.perf_counter()
        events = [PipelineEvent(Ev.TTS_START, {"text": text})]
        rate = self.stack.tts.rate_for(self.slow)
        try:
            speech = await self.stack.tts.synthesize(text, self.lang, rate, self.out_rate, cache)
        except PipelineError as exc:
            log.error("TTS failed for session %s: %s", self.session_id, exc.message)
            return [*events, PipelineEvent(Ev.ERROR, {"code": exc.code, "text": text})]
        now = time.perf_counter()
        TTS.observe(now - started)
        if self._speech_end is not None:  # the first reply audio of a spoken turn is ready
            FIRST_AUDIO.observe(now - self._speech_end)
            self._speech_end = None
        return [*events, PipelineEvent(Ev.TTS_END, {"text": text, "speech": speech,
                                                    "ms": _ms(started)})]


def speech_of(events: list[PipelineEvent]) -> list[Speech]:
    """The reply audio in a list of events, in order."""
    return [e.data["speech"] for e in events if e.type is Ev.TTS_END and "speech" in e.data]
