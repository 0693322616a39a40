"""The speech gate on synthetic frames: pre-roll kept, hangover, reset, skipped counts."""

from __future__ import annotations

import numpy as np

from audio.endpointing import EnergyVad
from audio.gate import GateConfig, Piece, SpeechGate

RATE = 16000
FRAME = 2 * RATE * 20 // 1000  # 20 ms


def frames(kind: str, count: int, start: int = 0) -> bytes:
    """`count` 20 ms frames, loud ("v") or silent ("s"); each sample holds its frame number,
    so a test can tell which frames passed."""
    out = []
    for i in range(start, start + count):
        level = 8000 if kind == "v" else 0
        samples = np.full(FRAME // 2, level, dtype="<i2")
        samples[0] = i  # a marker: the frame's index
        out.append(samples.tobytes())
    return b"".join(out)


def indices(pcm: bytes) -> list[int]:
    samples = np.frombuffer(pcm, dtype="<i2")
    return [int(samples[i]) for i in range(0, len(samples), FRAME // 2)]


def gate(**kw: int | None) -> SpeechGate:
    return SpeechGate(EnergyVad(-40.0), GateConfig(**kw), RATE)  # type: ignore[arg-type]


def test_silence_alone_passes_nothing() -> None:
    g = gate()
    assert g.feed(frames("s", 100)) == []
    assert g.passed_bytes == 0 and g.heard_bytes == 100 * FRAME
    assert not g.open


def test_speech_opens_with_the_preroll_before_the_onset() -> None:
    g = gate(preroll_ms=100, min_speech_ms=60, hangover_ms=None)
    out = g.feed(frames("s", 50) + frames("v", 10, start=50))
    assert len(out) == 1
    # 5 frames of pre-roll (frames 45..49), then the speech from its first frame
    assert indices(out[0].pcm) == list(range(45, 60))
    assert out[0].skipped == 45 * FRAME
    assert g.open


def test_preroll_is_the_whole_stream_when_speech_starts_early() -> None:
    g = gate(preroll_ms=300, min_speech_ms=60)
    out = g.feed(frames("s", 3) + frames("v", 5, start=3))
    assert out == [Piece(0, frames("s", 3) + frames("v", 5, start=3))]


def test_a_short_click_does_not_open() -> None:
    g = gate(min_speech_ms=60)
    assert g.feed(frames("s", 20) + frames("v", 2, start=20) + frames("s", 40, start=22)) == []


def test_hangover_then_closed_then_reopened_with_its_own_preroll() -> None:
    g = gate(preroll_ms=100, min_speech_ms=40, hangover_ms=200)
    pcm = (frames("v", 10) + frames("s", 50, start=10) + frames("v", 10, start=60)
           + frames("s", 50, start=70))
    out = g.feed(pcm)
    assert len(out) == 2
    # speech, then 10 frames (200 ms) of hangover
    assert indices(out[0].pcm) == list(range(0, 20))
    assert out[0].skipped == 0
    # closed from frame 20; reopened with 5 frames of pre-roll before frame 60
    assert indices(out[1].pcm) == list(range(55, 80))
    assert out[1].skipped == (55 - 20) * FRAME
    assert not g.open


def test_no_hangover_stays_open_until_reset() -> None:
    g = gate(preroll_ms=0, min_speech_ms=20, hangover_ms=None)
    out = g.feed(frames("v", 1) + frames("s", 500, start=1))
    assert sum(len(p.pcm) for p in out) == 501 * FRAME
    g.reset()
    assert not g.open
    assert g.feed(frames("s", 10)) == []


def test_reset_empties_the_preroll() -> None:
    g = gate(preroll_ms=100, min_speech_ms=40)
    g.feed(frames("s", 10))
    g.reset()
    out = g.feed(frames("v", 2, start=100))
    assert indices(out[0].pcm) == [100, 101]
    assert out[0].skipped == 0


def test_chunks_of_any_size_give_the_same_audio() -> None:
    pcm = frames("s", 30) + frames("v", 20, start=30) + frames("s", 60, start=50)
    whole = gate(preroll_ms=100, hangover_ms=300).feed(pcm)
    g = gate(preroll_ms=100, hangover_ms=300)
    parts: list[Piece] = []
    for i in range(0, len(pcm), 333 * 2):
        parts += g.feed(pcm[i : i + 666])
    parts += g.flush()
    assert b"".join(p.pcm for p in parts) == b"".join(p.pcm for p in whole)
    assert sum(p.skipped for p in parts) == sum(p.skipped for p in whole)


def test_flush_passes_the_rest_only_while_open() -> None:
    g = gate(min_speech_ms=20, hangover_ms=None)
    g.feed(frames("v", 3) + b"\x01\x00" * 10)
    assert g.flush(b"\x02\x00" * 4) == [Piece(0, b"\x01\x00" * 10 + b"\x02\x00" * 4)]
    closed = gate()
    closed.feed(frames("s", 3) + b"\x00\x00" * 10)
    assert closed.flush() == []
    assert closed.skipped_bytes == 20


def test_as_the_vad_of_an_endpointer_it_sees_each_frame_once() -> None:
    from audio.endpointing import EndpointConfig, Endpointer, EndpointEventType

    g = gate(preroll_ms=100, min_speech_ms=60, hangover_ms=None)
    endpointer = Endpointer(EndpointConfig(silence_ms=200, min_speech_ms=60), RATE, vad=g)
    events = endpointer.feed(frames("s", 20) + frames("v", 10, start=20) + frames("s", 30, 30))
    assert [e.type for e in events] == [EndpointEventType.SPEECH_START,
                                        EndpointEventType.END_OF_UTTERANCE]
    assert events[0].at_ms == 20 * 20
    out = g.take()
    # pre-roll from frame 15, up to the terminal frame (10 frames of silence after speech)
    assert indices(out[0].pcm) == list(range(15, 40))
    assert g.heard_bytes == 40 * FRAME
