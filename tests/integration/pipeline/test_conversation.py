"""The voice pipeline on real Vosk (Korean test model) and real espeak-ng TTS.

The dialogue engine is not running here, which is a real condition the pipeline must survive: the
caller still hears the spoken fallback line. Turns through the running dialogue engine are in
tests/integration/channels and tests/e2e.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from assistant.cli.listen import converse
from assistant.gateway.contracts import PipelineEvent
from assistant.gateway.contracts import PipelineEventType as Ev
from assistant.gateway.pipeline import Conversation, VoiceStack, speech_of
from assistant.settings import Settings
from audio.types import AudioChunk, AudioFormat, AudioFormatError, ModelMissingError, Speech
from tests.conftest import free_port
from tests.fixtures.audio.speech import speak

FMT16 = AudioFormat(rate=16000)


@pytest.fixture
async def stack(ko_model_path: Path) -> AsyncIterator[VoiceStack]:
    settings = Settings(ports={"rasa": free_port()},  # type: ignore[arg-type]
                        tts={"voices": {"ko": "ko", "ru": "ru", "en": "en-us"}},  # type: ignore[arg-type]
                        asr={"models": {"ko": str(ko_model_path)}},
                        endpointing={"kiosk": {"silence_ms": 500, "start_timeout_ms": 1500,  # type: ignore[dict-item]
                                               "max_utterance_ms": 10000}})
    voice = VoiceStack.from_settings(settings)
    yield voice
    await voice.aclose()


def chunks(pcm: bytes, fmt: AudioFormat = FMT16, ms: int = 100) -> list[AudioChunk]:
    step = fmt.bytes_per_second * ms // 1000
    return [AudioChunk(pcm[i:i + step], fmt) for i in range(0, len(pcm), step)]


async def speak_turn(talk: Conversation, pcm: bytes,
                     fmt: AudioFormat = FMT16) -> list[PipelineEvent]:
    heard: list[PipelineEvent] = []
    for chunk in chunks(pcm, fmt):
        heard += await talk.hear(chunk)
        if talk.utterance_over:
            return heard + await talk.respond()
    raise AssertionError("the endpointer never ended the utterance")


def types(events: list[PipelineEvent]) -> list[Ev]:
    return [e.type for e in events]


async def test_a_spoken_turn_gives_partials_final_and_spoken_fallback(stack: VoiceStack) -> None:
    pcm = speak("일 이 삼 사 오", wpm=140) + bytes(32000)
    async with Conversation(stack, "t1", "kiosk", "ko", out_rate=8000) as talk:
        events = await speak_turn(talk, pcm)
    kinds = types(events)
    assert kinds[0] is Ev.STT_START
    assert Ev.STT_PARTIAL in kinds
    final = next(e for e in events if e.type is Ev.STT_FINAL)
    assert final.data["text"] and final.data["words"]
    assert {"code": "dialogue-unreachable"}.items() <= next(
        e for e in events if e.type is Ev.ERROR).data.items()
    speech = speech_of(events)
    assert speech and speech[0].fmt.rate == 8000 and len(speech[0].pcm) > 8000
    assert kinds[-1] is Ev.RUN_END


async def test_silence_reprompts_once_then_closes_politely(stack: VoiceStack) -> None:
    # A Korean session: the test model hears it; the fixed lines fall back to Russian text.
    async with Conversation(stack, "t2", "kiosk", "ko") as talk:
        first = await speak_turn(talk, bytes(2 * 16000 * 3))
        assert not talk.closed
        assert types(first)[-1] is Ev.RUN_END
        assert "Вы здесь?" in next(e for e in first if e.type is Ev.TTS_START).data["text"]
        second = await speak_turn(talk, bytes(2 * 16000 * 3))
        assert talk.closed
    said = [e.data["text"] for e in second if e.type is Ev.TTS_START]
    assert len(said) >= 2 and "До свидания" in " ".join(said), "spoken sentence by sentence"
    assert speech_of(first) and speech_of(second)


async def test_speak_slower_slows_the_session_in_both_languages(stack: VoiceStack) -> None:
    async with Conversation(stack, "t3", "phone", "ru") as talk:
        normal = speech_of(await talk.respond_text("говорите медленнее"))[0]
        assert talk.slow
    async with Conversation(stack, "t4", "phone", "en") as talk:
        await talk.respond_text("speak slower please")
        assert talk.slow
        await talk.respond_text("normal speed")
        assert not talk.slow
    assert normal.duration_ms > 0


async def test_malformed_audio_is_refused_and_the_session_goes_on(stack: VoiceStack) -> None:
    pcm = speak("네", wpm=140) + bytes(32000)
    async with Conversation(stack, "t5", "kiosk", "ko") as talk:
        with pytest.raises(AudioFormatError):
            await talk.hear(AudioChunk(b"\x01\x02\x03", FMT16))
        with pytest.raises(AudioFormatError):
            await talk.hear(AudioChunk(bytes(320), AudioFormat(rate=1234)))
        events = await speak_turn(talk, pcm)
    assert Ev.STT_FINAL in types(events) and speech_of(events)


async def test_8khz_input_is_heard(stack: VoiceStack) -> None:
    pcm = speak("일 이 삼 사 오", wpm=140, rate=8000) + bytes(16000)
    async with Conversation(stack, "t6", "phone", "ko", out_rate=8000) as talk:
        events = await speak_turn(talk, pcm, AudioFormat(rate=8000))
    assert next(e for e in events if e.type is Ev.STT_FINAL).data["text"]


class RecordingPlayer:
    """A real player's contract on a list: what was played, and whether it was cut off."""

    def __init__(self) -> None:
        self.played: list[Speech] = []
        self.stops = 0
        self.busy = False

    def play(self, speech: Speech) -> None:
        self.played.append(speech)
        self.busy = True

    def stop(self) -> None:
        self.stops += 1
        self.busy = False

    @property
    def playing(self) -> bool:
        return self.busy


async def test_kiosk_loop_greets_answers_and_barges_in(stack: VoiceStack) -> None:
    pcm = bytes(8000) + speak("안녕하세요", wpm=140) + bytes(32000)

    async def source() -> AsyncIterator[AudioChunk]:
        for chunk in chunks(pcm):
            yield chunk

    player = RecordingPlayer()
    seen: list[PipelineEvent] = []
    async with Conversation(stack, "t7", "kiosk", "ko") as talk:
        await converse(talk, source(), player, seen.extend)
    spoken = speech_of(seen)  # the greeting and the reply, sentence by sentence
    assert len(spoken) >= 2 and player.played == spoken
    assert player.stops == 1, "speech over the greeting stopped it (barge-in)"
    assert Ev.STT_FINAL in types(seen)


async def test_without_a_model_keypad_turns_work_and_audio_names_the_fix(
        stack: VoiceStack) -> None:
    async with Conversation(stack, "t8", "phone", "ru") as talk:
        events = await talk.respond_text("0123456789")
        assert speech_of(events), "the keypad turn is answered aloud"
        with pytest.raises(ModelMissingError, match="assistant models pull ru"):
            await talk.hear(AudioChunk(bytes(3200), FMT16))
