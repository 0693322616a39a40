"""Decoding only speech, on the real Korean model: the gated session hears every word that an
ungated decode of the same audio hears, word times stay on the stream's clock, and far less
audio reaches Vosk. Speech is espeak-ng Korean padded with long silences, as on a call.

The model adapts to what it has heard (online i-vectors and CMVN), so the long silences that
an ungated decode also takes in can flip a word either way; the test therefore counts word
errors against the known text, for both, on a digits grammar where the model is reliable:
the gated decode may not have more. A gate that cut the first word would fail it.
"""

from __future__ import annotations

import numpy as np

from assistant.cli.bench.asr import word_errors
from audio.endpointing import EndpointConfig, EndpointEventType
from audio.formats import rms_dbfs
from audio.session import AsrEngine, AsrSession, transcribe
from audio.types import AudioChunk, AudioFormat, Transcript
from tests.fixtures.audio.speech import DIGITS, Speech, silence

# each starts with a quiet sound (/s/, a vowel): the part that a late gate would cut
UTTERANCES = ("사 오 육 칠", "일 이 삼 사", "삼 일 오", "오 영 구", "이 사 칠")
GAP_MS = 4000


def onset_ms(pcm: bytes, rate: int) -> int:
    """Where the voice really starts in an espeak clip (it pads with silence)."""
    samples = np.frombuffer(pcm, dtype="<i2")
    step = rate // 100
    frames = [samples[i : i + step] for i in range(0, len(samples), step)]
    return 10 * next(i for i, f in enumerate(frames) if rms_dbfs(f) > -60.0)


def errors(results: list[Transcript]) -> int:
    return sum(word_errors(ref, t.text) for ref, t in zip(UTTERANCES, results, strict=True))


def close_in_time(gated: Transcript, full: Transcript) -> None:
    """Words both decodes heard are at the same times (within a few frames: the decodes differ
    slightly), on the stream's clock: a gap left out would put them seconds early."""
    matched = 0
    for g in gated.words:
        near = [f for f in full.words if f.word == g.word and abs(f.start - g.start) < 0.3]
        if near:
            matched += 1
            assert abs(near[0].end - g.end) < 0.3, (g, near[0])
    assert matched >= len(gated.words) // 2, (gated.words, full.words)


async def test_a_gated_call_keeps_every_word_and_decodes_under_60_percent(
    engine: AsrEngine, speech: Speech
) -> None:
    rate = 16000
    pcm, onsets = silence(GAP_MS, rate), []
    for text in UTTERANCES:
        clip = speech(text, wpm=150, rate=rate)
        onsets.append(1000 * len(pcm) // (2 * rate) + onset_ms(clip, rate))
        pcm += clip + silence(GAP_MS, rate)
    fmt = AudioFormat(rate=rate)
    full = await transcribe(engine, pcm, fmt, "ko", DIGITS, gate=None)
    gated = await transcribe(engine, pcm, fmt, "ko", DIGITS)
    assert full.decoded_s == full.audio_s
    assert gated.audio_s == full.audio_s
    assert gated.decoded_s < 0.6 * gated.audio_s, (gated.decoded_s, gated.audio_s)
    reference = " ".join(UTTERANCES)
    # a pooled recognizer carries Vosk's speaker adaptation from its earlier use, which moves a
    # word or two either way; a cut onset loses one word per utterance, more than the margin
    margin = len(reference.split()) // 10
    assert word_errors(reference, gated.final.text) <= (
        word_errors(reference, full.final.text) + margin), (gated.final.text, full.final.text)
    close_in_time(gated.final, full.final)
    # each utterance's first word, right at the speech onset, is heard at its time
    for onset in onsets:
        assert any(abs(w.start - onset / 1000) < 0.3 for w in gated.final.words), (
            onset, gated.final.words)


async def feed_turn(session: AsrSession, pcm: bytes, fmt: AudioFormat) -> list[EndpointEventType]:
    step = fmt.bytes_per_second // 50  # 20 ms frames, as a phone line sends them
    kinds = []
    for i in range(0, len(pcm), step):
        update = await session.feed(AudioChunk(pcm[i : i + step], fmt))
        kinds += [e.type for e in update.events]
        if update.done is not None:
            break
    return kinds


async def test_endpointed_turns_on_a_phone_line_keep_every_word(
    engine: AsrEngine, speech: Speech
) -> None:
    """8 kHz in 20 ms frames; each turn is a long silence, an utterance, then the endpoint."""
    fmt = AudioFormat(rate=8000)
    config = EndpointConfig(silence_ms=700, start_timeout_ms=10000)
    results: dict[str, list[Transcript]] = {"gated": [], "full": []}
    decoded: dict[str, float] = {}
    heard: dict[str, float] = {}
    for mode in ("gated", "full"):
        gate_kw = {} if mode == "gated" else {"gate": None}
        async with engine.session("ko", config, DIGITS, **gate_kw) as session:
            for text in UTTERANCES:
                voice = speech(text, wpm=150, rate=8000)
                turn = silence(GAP_MS, 8000) + voice + silence(2000, 8000)
                kinds = await feed_turn(session, turn, fmt)
                assert kinds == [EndpointEventType.SPEECH_START,
                                 EndpointEventType.END_OF_UTTERANCE], kinds
                results[mode].append(await session.finish())
                await session.set_grammar(DIGITS)
            decoded[mode] = session.stats.decoded_ms
            heard[mode] = session.stats.audio_ms
    margin = sum(len(text.split()) for text in UTTERANCES) // 10  # adaptation, as above
    assert errors(results["gated"]) <= errors(results["full"]) + margin, results
    for gated, full in zip(results["gated"], results["full"], strict=True):
        assert gated.words and gated.words[0].start < GAP_MS / 1000 + 0.4, gated  # the onset word
        close_in_time(gated, full)
    assert decoded["full"] == heard["full"]
    assert decoded["gated"] < 0.6 * heard["gated"], (decoded, heard)
