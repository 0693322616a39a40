"""Streaming recognition, grammars, input rates and concurrency on the real Korean model."""

from __future__ import annotations

import asyncio
import json

from audio.asr import grammar_json
from audio.session import AsrEngine, transcribe
from audio.types import AudioChunk, AudioFormat
from tests.fixtures.audio.speech import DIGITS, YES_NO, Speech

HELLO = "안녕하세요 감사합니다"


def chunks(pcm: bytes, rate: int = 16000, ms: int = 100) -> list[bytes]:
    step = 2 * rate * ms // 1000
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


async def test_streaming_gives_partials_then_a_final_with_words(
    engine: AsrEngine, speech: Speech
) -> None:
    pcm = speech(HELLO, wpm=140)
    partials = []
    async with engine.session("ko") as session:
        for chunk in chunks(pcm):
            update = await session.feed(AudioChunk(chunk))
            assert update.partial is not None and not update.partial.is_final
            if update.partial.text:
                partials.append(update.partial.text)
        final = await session.finish()
    assert partials, "no partial result while streaming"
    assert final.is_final and final.text
    assert final.words and " ".join(w.word for w in final.words) == final.text
    duration = len(pcm) / 32000
    for a, b in zip(final.words, final.words[1:], strict=False):
        assert a.start <= b.start
    assert all(0.0 <= w.start <= w.end <= duration + 0.1 for w in final.words)
    assert all(0.0 <= w.conf <= 1.0 for w in final.words)
    assert 0.0 < final.confidence <= 1.0


async def test_recognizer_is_reused_and_times_restart_each_utterance(
    engine: AsrEngine, speech: Speech
) -> None:
    pcm = speech("네 감사합니다")
    async with engine.session("ko") as session:
        first = second = None
        for _ in range(2):
            for chunk in chunks(pcm):
                await session.feed(AudioChunk(chunk))
            result = await session.finish()
            first, second = (result, None) if first is None else (first, result)
    assert first is not None and second is not None
    # Vosk carries its speaker adaptation over from the first utterance, so the second may hear
    # other words at slightly other places; what matters is that its clock starts again at zero:
    # carried over, every time would be past the first utterance's end
    seconds = len(pcm) / 2 / 16000
    assert second.words and abs(first.words[0].start - second.words[0].start) < 0.3
    assert all(0 <= w.start <= w.end <= seconds + 0.1 for w in second.words), (
        seconds, second.words)


async def test_grammar_restricts_the_output(engine: AsrEngine, speech: Speech) -> None:
    pcm = speech(HELLO, wpm=140)
    result = await transcribe(engine, pcm, AudioFormat(), "ko", grammar=YES_NO)
    assert set(result.final.text.split()) <= set(YES_NO)
    open_vocab = await transcribe(engine, pcm, AudioFormat(), "ko")
    assert not set(open_vocab.final.text.split()) <= set(YES_NO)


async def test_grammar_recognises_its_phrases(engine: AsrEngine, speech: Speech) -> None:
    for word in YES_NO:
        result = await transcribe(engine, speech(word), AudioFormat(), "ko", grammar=YES_NO)
        assert result.final.text == word


async def test_grammar_then_open_vocabulary_on_one_session(
    engine: AsrEngine, speech: Speech
) -> None:
    pcm = speech(HELLO, wpm=140)
    async with engine.session("ko", grammar=YES_NO) as session:
        assert session.grammar is not None
        for chunk in chunks(pcm):
            await session.feed(AudioChunk(chunk))
        restricted = await session.finish()
        await session.set_grammar(None)
        for chunk in chunks(pcm):
            await session.feed(AudioChunk(chunk))
        free = await session.finish()
    assert set(restricted.text.split()) <= set(YES_NO)
    assert not set(free.text.split()) <= set(YES_NO)


def test_grammar_json_keeps_non_ascii(registry: object) -> None:
    from audio.asr import ModelRegistry

    assert isinstance(registry, ModelRegistry)
    _, model = registry.get("ko")
    text = grammar_json(model, ["네", "  아니요 ", "네", "Да нет"])
    assert "\\u" not in text
    assert json.loads(text)[:3] == ["네", "아니요", "да нет"]


async def test_8khz_input_is_handled(engine: AsrEngine, speech: Speech) -> None:
    pcm8 = speech("일 이 삼 사 오", wpm=130, rate=8000)
    fmt = AudioFormat(rate=8000)
    digits = await transcribe(engine, pcm8, fmt, "ko", grammar=DIGITS)
    words = digits.final.text.split()
    assert len(words) >= 3 and set(words) <= set(DIGITS)
    assert abs(digits.audio_s - len(pcm8) / 16000) < 0.05  # resampled to 16 kHz
    free = await transcribe(engine, pcm8, fmt, "ko")
    assert free.final.text


async def test_48khz_stereo_and_noise(engine: AsrEngine, speech: Speech) -> None:
    import numpy as np

    mono = np.frombuffer(speech("네", rate=48000, snr_db=15), dtype="<i2")
    stereo = np.repeat(mono, 2).astype("<i2").tobytes()
    result = await transcribe(engine, stereo, AudioFormat(rate=48000, channels=2), "ko", YES_NO)
    assert result.final.text == "네"


async def test_ten_concurrent_sessions_share_one_model(engine: AsrEngine, speech: Speech) -> None:
    registry = engine.registry
    loads_before = registry.load_count
    rates = (130, 150, 170, 190, 210)
    inputs = [speech(w, wpm=wpm, rate=8000, snr_db=20) for w in YES_NO for wpm in rates]

    async def one(i: int, pcm: bytes) -> str:
        grammar = YES_NO if i % 2 == 0 else None
        result = await transcribe(engine, pcm, AudioFormat(rate=8000), "ko", grammar)
        return result.final.text

    texts = await asyncio.gather(*(one(i, pcm) for i, pcm in enumerate(inputs)))
    assert len(texts) == 10
    assert registry.load_count == loads_before == 1
    expected = [w for w in YES_NO for _ in range(5)]
    pairs = list(zip(texts, expected, strict=True))
    grammar_hits = [t == e for i, (t, e) in enumerate(pairs) if i % 2 == 0]
    assert sum(grammar_hits) >= 4
    assert engine.pool.created <= 10 + 2  # recognizers are pooled, not made per utterance
