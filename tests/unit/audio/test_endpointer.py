from __future__ import annotations

import numpy as np
import pytest

from audio.endpointing import (
    EndpointConfig,
    Endpointer,
    EndpointEventType,
    EnergyVad,
)
from audio.types import AudioFormatError

RATE = 16000


def loud(ms: int) -> bytes:
    t = np.arange(RATE * ms // 1000) / RATE
    return (np.sin(2 * np.pi * 300 * t) * 8000).astype("<i2").tobytes()


def quiet(ms: int) -> bytes:
    return bytes(2 * RATE * ms // 1000)


def endpointer(**cfg: int) -> Endpointer:
    return Endpointer(EndpointConfig(**cfg), rate=RATE, vad=EnergyVad(-40.0))


def feed_in_chunks(ep: Endpointer, pcm: bytes, chunk_ms: int = 100) -> list:
    step = 2 * RATE * chunk_ms // 1000
    events = []
    for i in range(0, len(pcm), step):
        events += ep.feed(pcm[i : i + step])
    return events


@pytest.mark.parametrize("silence_ms", [300, 700, 1200])
def test_end_of_utterance_after_the_configured_silence(silence_ms: int) -> None:
    ep = endpointer(silence_ms=silence_ms)
    events = feed_in_chunks(ep, quiet(400) + loud(1000) + quiet(3000))
    kinds = [e.type for e in events]
    assert kinds == [EndpointEventType.SPEECH_START, EndpointEventType.END_OF_UTTERANCE]
    assert events[0].at_ms == 400
    assert events[1].at_ms == 1400 + silence_ms


def test_short_pauses_do_not_end_the_utterance() -> None:
    ep = endpointer(silence_ms=700)
    events = feed_in_chunks(ep, loud(500) + quiet(400) + loud(500) + quiet(1000))
    assert [e.type for e in events][-1] is EndpointEventType.END_OF_UTTERANCE
    assert events[-1].at_ms == 1400 + 700


def test_clicks_are_not_speech() -> None:
    ep = endpointer(start_timeout_ms=2000)
    events = feed_in_chunks(ep, (loud(20) + quiet(200)) * 12)
    assert [e.type for e in events] == [EndpointEventType.NO_SPEECH_TIMEOUT]


def test_no_speech_timeout_then_nothing_more() -> None:
    ep = endpointer(start_timeout_ms=6000)
    events = feed_in_chunks(ep, quiet(600_000), chunk_ms=10_000)  # ten minutes
    assert [(e.type, e.at_ms) for e in events] == [(EndpointEventType.NO_SPEECH_TIMEOUT, 6000)]
    assert ep.feed(loud(1000)) == []
    ep.reset()
    assert ep.feed(loud(200))[0].type is EndpointEventType.SPEECH_START


def test_max_length() -> None:
    ep = endpointer(max_utterance_ms=3000)
    events = feed_in_chunks(ep, quiet(200) + loud(10_000))
    assert events[-1].type is EndpointEventType.MAX_LENGTH
    assert events[-1].at_ms == 200 + 3000


def test_odd_chunks_are_rejected_and_the_state_kept() -> None:
    ep = endpointer()
    ep.feed(loud(100))
    with pytest.raises(AudioFormatError):
        ep.feed(b"\x00")
    assert ep.position_ms == 100
    assert ep.in_speech


def test_chunk_sizes_do_not_matter() -> None:
    pcm = quiet(300) + loud(800) + quiet(1000)
    a = feed_in_chunks(endpointer(), pcm, chunk_ms=20)
    b = endpointer().feed(pcm)
    odd = endpointer()
    c = []
    for i in range(0, len(pcm), 2 * 37):  # 37-sample chunks, never frame-aligned
        c += odd.feed(pcm[i : i + 2 * 37])
    assert a == b == c


def test_config_per_channel() -> None:
    table = {"phone": {"silence_ms": 900, "start_timeout_ms": 7000, "max_utterance_ms": 20000}}
    assert EndpointConfig.for_channel("phone", table).silence_ms == 900
    assert EndpointConfig.for_channel("kiosk", table) == EndpointConfig()


def test_webrtc_vad_finds_a_tone_burst_but_not_silence() -> None:
    ep = Endpointer(EndpointConfig(silence_ms=500), rate=RATE)
    rng = np.random.default_rng(0)
    voiced = (rng.normal(0, 3000, RATE) * np.sin(np.arange(RATE) / 40)).astype("<i2").tobytes()
    events = feed_in_chunks(ep, quiet(500) + voiced + quiet(1500))
    assert [e.type for e in events][:1] == [EndpointEventType.SPEECH_START]


def test_steady_loud_hiss_is_not_speech() -> None:
    ep = Endpointer(EndpointConfig(start_timeout_ms=3000), rate=RATE)
    hiss = np.random.default_rng(2).normal(0, 2000, 4 * RATE).astype("<i2").tobytes()
    events = feed_in_chunks(ep, hiss)
    assert [e.type for e in events] == [EndpointEventType.NO_SPEECH_TIMEOUT]


def test_a_shortened_silence_ends_this_utterance_early() -> None:
    ep = endpointer(silence_ms=900)
    events = feed_in_chunks(ep, loud(500))
    ep.shorten(240)  # a whole number of 20 ms frames
    assert ep.silence_ms == 240
    events += feed_in_chunks(ep, quiet(1000), chunk_ms=20)
    assert events[-1].type is EndpointEventType.END_OF_UTTERANCE
    assert events[-1].at_ms == 500 + 240 and events[-1].early
    ep.reset()  # the next utterance waits the full silence again
    assert ep.silence_ms == 900
    events = feed_in_chunks(ep, loud(500) + quiet(1000), chunk_ms=20)
    assert events[-1].at_ms == 500 + 900 and not events[-1].early


def test_speech_after_a_short_pause_continues_the_utterance() -> None:
    ep = endpointer(silence_ms=900)
    ep.shorten(250)
    events = feed_in_chunks(ep, loud(400) + quiet(200) + loud(400), chunk_ms=20)
    assert [e.type for e in events] == [EndpointEventType.SPEECH_START]
    ep.shorten(None)  # the longer answer is no longer complete: the full silence again
    events = feed_in_chunks(ep, quiet(1200), chunk_ms=20)
    assert events[-1].at_ms == 1000 + 900 and not events[-1].early
    ep.shorten(5000)
    assert ep.silence_ms == 900  # never longer than the channel's own
