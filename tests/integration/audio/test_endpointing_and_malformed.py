"""Endpointing on real speech, and malformed audio that must not take a session down."""

from __future__ import annotations

import numpy as np
import pytest

from audio.endpointing import EndpointConfig, EndpointEventType
from audio.formats import rms_dbfs
from audio.session import AsrEngine, AsrSession
from audio.types import AudioChunk, AudioFormat, AudioFormatError
from tests.fixtures.audio.speech import YES_NO, Speech, silence

HELLO = "안녕하세요 감사합니다"


def speech_end_ms(pcm: bytes) -> int:
    """Where the voice really stops (espeak pads its output with silence)."""
    samples = np.frombuffer(pcm, dtype="<i2")
    frames = [samples[i : i + 320] for i in range(0, len(samples), 320)]
    voiced = [i for i, f in enumerate(frames) if rms_dbfs(f) > -45.0]
    return 20 * (voiced[-1] + 1)


async def feed_all(session: AsrSession, pcm: bytes, fmt: AudioFormat = AudioFormat(),
                   ms: int = 100) -> list:
    step = fmt.bytes_per_second * ms // 1000
    events = []
    for i in range(0, len(pcm), step):
        update = await session.feed(AudioChunk(pcm[i : i + step], fmt))
        events += update.events
    return events


@pytest.mark.parametrize("silence_ms", [400, 900])
@pytest.mark.parametrize("snr_db", [None, 15.0])
async def test_end_of_utterance_fires_after_the_configured_silence(
    engine: AsrEngine, speech: Speech, silence_ms: int, snr_db: float | None
) -> None:
    voice = speech(HELLO, wpm=150)
    pcm = silence(500) + voice + silence(2500)
    if snr_db is not None:
        from tests.fixtures.audio.speech import add_noise

        pcm = add_noise(np.frombuffer(pcm, dtype="<i2"), snr_db=snr_db).astype("<i2").tobytes()
    end = 500 + speech_end_ms(voice)
    config = EndpointConfig(silence_ms=silence_ms)
    async with engine.session("ko", config) as session:
        events = await feed_all(session, pcm)
        final = await session.finish()
    kinds = [e.type for e in events]
    assert kinds[0] is EndpointEventType.SPEECH_START
    assert kinds[-1] is EndpointEventType.END_OF_UTTERANCE
    assert 400 <= events[0].at_ms <= 700
    eou = events[-1].at_ms
    assert end + silence_ms - 100 <= eou <= end + silence_ms + 300, (eou, end)
    assert final.text


async def test_channel_silence_differs(engine: AsrEngine, speech: Speech) -> None:
    pcm = speech(HELLO) + silence(2000)
    ends = {}
    for channel, ms in {"speaker": 600, "phone": 900}.items():
        async with engine.session("ko", EndpointConfig(silence_ms=ms)) as session:
            ends[channel] = (await feed_all(session, pcm))[-1].at_ms
    assert ends["phone"] - ends["speaker"] == 300


async def test_ten_minutes_of_silence_then_a_normal_turn(engine: AsrEngine, speech: Speech) -> None:
    config = EndpointConfig(silence_ms=700, start_timeout_ms=6000)
    async with engine.session("ko", config, grammar=YES_NO) as session:
        events = await feed_all(session, silence(600_000), ms=10_000)
        assert [(e.type, e.at_ms) for e in events] == [(EndpointEventType.NO_SPEECH_TIMEOUT, 6000)]
        assert session.stats.audio_ms <= 6100  # the rest was not decoded
        empty = await session.finish()
        assert empty.text == "" and empty.confidence == 0.0
        await session.set_grammar(YES_NO)
        events = await feed_all(session, silence(300) + speech("네") + silence(1500))
        assert events[-1].type is EndpointEventType.END_OF_UTTERANCE
        assert (await session.finish()).text == "네"


async def test_clipped_endless_speech_hits_max_length(engine: AsrEngine, speech: Speech) -> None:
    voice = np.frombuffer(speech("네 아니요 네 아니요", wpm=200), dtype="<i2").astype(np.int32)
    clipped = np.clip(voice * 16, -32768, 32767).astype("<i2").tobytes()
    config = EndpointConfig(silence_ms=2000, max_utterance_ms=2500)
    async with engine.session("ko", config, grammar=YES_NO) as session:
        events = await feed_all(session, clipped * 4)
        final = await session.finish()
    assert events[-1].type is EndpointEventType.MAX_LENGTH
    assert set(final.text.split()) <= set(YES_NO)


async def test_malformed_chunks_get_clear_errors_and_the_session_survives(
    engine: AsrEngine, speech: Speech
) -> None:
    good = speech("네")
    async with engine.session("ko", grammar=YES_NO) as session:
        await session.feed(AudioChunk(good[:3200]))
        cases = [
            (AudioChunk(b"\x01\x02\x03"), "not a multiple of the frame size"),
            (AudioChunk(bytes(3201)), "not a multiple of the frame size"),
            (AudioChunk(bytes(320), AudioFormat(rate=1000)), "sample rate 1000"),
            (AudioChunk(bytes(320), AudioFormat(rate=0)), "sample rate 0"),
            (AudioChunk(bytes(320), AudioFormat(width=1)), "sample width 1"),
            (AudioChunk(bytes(6), AudioFormat(channels=2)), "frame size 4"),
        ]
        for chunk, needle in cases:
            with pytest.raises(AudioFormatError, match=needle):
                await session.feed(chunk)
        await session.feed(AudioChunk(b""))
        await feed_all(session, good[3200:])
        assert (await session.finish()).text == "네"


async def test_mislabelled_rate_and_pure_noise_do_not_crash(
    engine: AsrEngine, speech: Speech
) -> None:
    pcm8 = speech("네", rate=8000)
    rng = np.random.default_rng(1)
    noise = rng.integers(-32768, 32767, 16000, dtype=np.int16).astype("<i2").tobytes()
    square = (np.sign(np.sin(np.arange(16000) / 8)) * 32767).astype("<i2").tobytes()
    async with engine.session("ko") as session:
        for pcm in (pcm8, noise, square, silence(1000)):
            await feed_all(session, pcm)  # 8 kHz audio labelled 16 kHz, noise, square, silence
            result = await session.finish()
            assert result.is_final
