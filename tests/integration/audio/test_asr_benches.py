"""The ASR benchmarks on the real Korean model, run small: `bench calls` (bare vosk-server loop
against our gated session on call audio) and the bare-vs-pipeline part of `bench voice`.
Their figures are not judged here (no wall-clock limits in tests); what they measure is."""

from __future__ import annotations

from assistant.cli.bench.calls import make_calls, run_calls_bench
from assistant.cli.bench.voice import _ratios, long_speech, measure_concurrency
from audio.endpointing import EndpointConfig
from audio.session import AsrEngine
from tests.fixtures.audio.speech import Speech


def test_call_audio_has_the_caller_speaking_about_a_third_of_the_time() -> None:
    calls = make_calls(3, utterances=4)
    for call in calls:
        share = call.speech_ms / (1000 * len(call.pcm) / 16000)
        assert 0.2 < share < 0.45, share
        assert len(call.texts) == 4
    assert len({c.pcm for c in calls}) == 3  # each call its own order and timing


def test_calls_bench_runs_both_decoders_on_the_same_calls() -> None:
    result = run_calls_bench(cores=1, levels=(1,), grammar=True, utterances=2,
                             endpointing=EndpointConfig(silence_ms=900, start_timeout_ms=7000))
    rows = {row["decoder"]: row for row in result["levels"]}
    assert set(rows) == {"bare", "gated"}
    # Vosk's own endpointer and ours each ended both utterances
    assert rows["bare"]["finals"] >= 2 and rows["gated"]["finals"] == 2, rows
    assert rows["bare"]["decoded_share"] == 1.0
    assert rows["gated"]["decoded_share"] < 0.7, rows["gated"]
    compared = result["transcripts"]
    assert compared["calls"] == 1 and set(compared["words"]) == {"bare", "gated", "ungated"}
    assert compared["words"]["gated"] > 0
    assert set(result["calls_per_core"]) == {"bare", "gated"}


async def test_voice_bench_measures_bare_vosk_and_the_pipeline_on_the_same_audio(
    engine: AsrEngine, speech: Speech
) -> None:
    clips = [speech(t, rate=8000) for t in ("일 이 삼 사", "안녕하세요")]
    audio = long_speech(clips, 8000)
    assert len(audio) >= 2 * 8000 * 5  # >= 5 s, not a clip of a second
    rows = await measure_concurrency(engine, audio, "ko", [1, 2])
    for kind in ("bare", "pipeline"):
        assert [r["streams"] for r in rows[kind]] == [1, 2]
    assert all(r["effective_rtf"] > 0 for kind in rows.values() for r in kind)
    # mostly speech: the gate passes nearly all of it, so the ratio measures the pipeline
    assert rows["pipeline"][0]["decoded_share"] > 0.8
    ratios = _ratios({k: v[:1] for k, v in rows.items()}, rows)
    assert ratios["speed_ratio_alone"] > 0
