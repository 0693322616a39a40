"""pyttsx3 + espeak-ng: valid audio in Russian and English, at the channel's rate."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import numpy as np
import pytest

from audio.formats import read_wav, rms_dbfs, wav_bytes
from audio.session import AsrEngine, transcribe
from audio.tts import TtsEngine
from audio.types import AudioFormat, TtsError
from tests.fixtures.audio.speech import YES_NO


@pytest.fixture(scope="module")
def tts() -> Iterator[TtsEngine]:
    engine = TtsEngine(voices={"ru": "ru", "en": "en-us", "ko": "ko"}, rate=170, slow_rate=120)
    try:
        engine.synthesize_blocking("тест", "ru")
    except TtsError as exc:
        pytest.fail(f"pyttsx3/espeak-ng is not usable: {exc}")
    yield engine
    engine.close()


def level(pcm: bytes) -> float:
    return rms_dbfs(np.frombuffer(pcm, dtype="<i2"))


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Здравствуйте! Чем могу помочь?", "ru"), ("Hello! How can I help you?", "en")],
)
@pytest.mark.parametrize("rate_hz", [8000, 16000, 48000])
def test_valid_audio(tts: TtsEngine, text: str, lang: str, rate_hz: int) -> None:
    speech = tts.synthesize_blocking(text, lang, out_rate=rate_hz)
    assert speech.fmt == AudioFormat(rate=rate_hz)
    assert 1000 < speech.duration_ms < 5000
    assert len(speech.pcm) % 2 == 0
    assert level(speech.pcm) > -35.0
    fmt, pcm = read_wav(wav_bytes(speech.pcm, speech.fmt))
    assert fmt.rate == rate_hz and pcm == speech.pcm


def test_slow_rate_is_slower(tts: TtsEngine) -> None:
    text = "Ваша запись подтверждена"
    normal = tts.synthesize_blocking(text, "ru", tts.rate_for(slow=False))
    slow = tts.synthesize_blocking(text, "ru", tts.rate_for(slow=True))
    assert slow.duration_ms > 1.2 * normal.duration_ms


def test_long_numbers_are_spoken_in_groups(tts: TtsEngine) -> None:
    req = tts.request("Полис 7712345678901234", "ru")
    assert req.text.startswith("Полис семь тысяч семьсот двенадцать, три тысячи")
    assert tts.synthesize_blocking("Полис 7712345678901234", "ru").duration_ms > 4000


def test_fixed_prompts_are_cached(tts: TtsEngine) -> None:
    before = tts.syntheses
    first = tts.synthesize_blocking("Повторите, пожалуйста", "ru", cache=True)
    second = tts.synthesize_blocking("Повторите, пожалуйста", "ru", cache=True)
    other_rate = tts.synthesize_blocking("Повторите, пожалуйста", "ru", out_rate=8000, cache=True)
    assert second is first and other_rate is not first
    assert tts.syntheses == before + 2 and tts.cache_hits >= 1


async def test_concurrent_requests_go_through_one_worker(tts: TtsEngine) -> None:
    texts = [f"Номер {i}" for i in range(6)]
    speeches = await asyncio.gather(*(tts.synthesize(t, "ru") for t in texts))
    assert all(s.duration_ms > 300 for s in speeches)


def test_unknown_language_and_empty_text(tts: TtsEngine) -> None:
    with pytest.raises(TtsError, match="no TTS voice configured for 'de'"):
        tts.synthesize_blocking("Hallo", "de")
    assert tts.synthesize_blocking("   ", "ru").pcm == b""


async def test_tts_speech_is_understood_by_asr(tts: TtsEngine, engine: AsrEngine) -> None:
    speech = await tts.synthesize("네", "ko", out_rate=8000)
    result = await transcribe(engine, speech.pcm, speech.fmt, "ko", grammar=YES_NO)
    assert result.final.text == "네"
