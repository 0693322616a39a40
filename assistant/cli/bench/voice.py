"""`assistant bench voice`: speed and memory of the voice pipeline, written as JSON.

Measured in one run on espeak-ng speech with the configured model (the Korean test model by
default, since the Russian and English ones cannot be downloaded everywhere):
- model load time and memory, and the memory of each extra session (recognizer);
- ASR speed, our pipeline against bare Vosk on the same audio (>= 5 s of speech, 8 kHz as on
  the phone): the real-time factor of one stream alone, and of N concurrent streams, for a
  plain `KaldiRecognizer` fed 100 ms chunks (the baseline) and for our session (resampler,
  speech gate, recognizer); the largest N whose streams all keep up with real time (effective
  RTF < 1) for each, the CPU time per second of audio of each, and the ratios pipeline / bare
  (goal >= 0.9);
- per spoken turn through the running stack: end of speech (the endpoint) to final transcript,
  dialogue turn time, TTS time, end of speech to the first reply audio, at p50 and p95, next to
  the bare HTTP round trip to the dialogue engine as the dialogue baseline.
Nothing here is judged against fixed thresholds.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from assistant.cli.bench.calls import cpu_seconds
from assistant.cli.bench.stats import p50_p95
from assistant.gateway.contracts import PipelineEventType as Ev
from assistant.gateway.pipeline import Conversation, VoiceStack
from assistant.settings import Settings
from audio.session import AsrEngine, transcribe
from audio.types import AudioChunk, AudioFormat

PHRASES = {
    "ko": ("일 이 삼 사", "네", "안녕하세요", "오 육 칠 팔 구"),
    "ru": ("семь семь один два", "да", "здравствуйте", "запишите меня к терапевту"),
    "en": ("seven seven one two", "yes", "hello", "book me a therapist"),
}


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


async def _speech(stack: VoiceStack, lang: str, rate: int) -> list[bytes]:
    return [(await stack.tts.synthesize(text, lang, out_rate=rate)).pcm for text in PHRASES[lang]]


def measure_memory(stack: VoiceStack, lang: str, sessions: int = 10) -> dict[str, float]:
    before = rss_mb()
    started = time.perf_counter()
    stack.asr.registry.get(lang)
    load_s = time.perf_counter() - started
    loaded = rss_mb()
    recognizers = [stack.asr.pool.acquire(lang) for _ in range(sessions)]
    per_session = (rss_mb() - loaded) / sessions
    for recognizer in recognizers:
        stack.asr.pool.release(recognizer)
    return {"model_load_s": round(load_s, 3), "model_mb": round(loaded - before, 1),
            "per_session_mb": round(per_session, 2)}


MIN_AUDIO_S = 5.0


def long_speech(clips: Sequence[bytes], rate: int, seconds: float = MIN_AUDIO_S) -> bytes:
    """The clips one after another with 200 ms pauses, repeated to at least `seconds`: speech
    most of the time, so that the comparison measures the pipeline, not what the gate skips."""
    pause = bytes(2 * rate // 5)
    out = b""
    while len(out) < 2 * rate * seconds:
        for clip in clips:
            out += clip + pause
    return out


def _bare_decode(model: Any, pcm: bytes, rate: int, chunk_ms: int = 100) -> str:
    """What a vosk-server does with one stream: every chunk to AcceptWaveform, then the final."""
    import json

    import vosk

    rec = vosk.KaldiRecognizer(model, rate)
    rec.SetWords(True)
    step = 2 * rate * chunk_ms // 1000
    texts = []
    for offset in range(0, len(pcm), step):
        if rec.AcceptWaveform(pcm[offset:offset + step]):
            texts.append(json.loads(rec.Result()).get("text", ""))
    texts.append(json.loads(rec.FinalResult()).get("text", ""))
    return " ".join(t for t in texts if t)


async def measure_concurrency(
    registry_engine: AsrEngine, pcm: bytes, lang: str, counts: Sequence[int], rate: int = 8000,
) -> dict[str, list[dict[str, float]]]:
    """N streams of the same audio decoded at once, by bare Vosk and by our pipeline, each
    with N threads; effective RTF = wall time / audio time (< 1: every stream keeps up)."""
    fmt = AudioFormat(rate=rate)
    audio_s = len(pcm) / (2 * rate)
    _, model = registry_engine.registry.get(lang)
    rows: dict[str, list[dict[str, float]]] = {"bare": [], "pipeline": []}
    for count in counts:
        with ThreadPoolExecutor(max_workers=count, thread_name_prefix="bare") as pool:
            loop = asyncio.get_running_loop()
            started, cpu = time.perf_counter(), cpu_seconds()
            await asyncio.gather(*(loop.run_in_executor(pool, _bare_decode, model, pcm, rate)
                                   for _ in range(count)))
            wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        rows["bare"].append({"streams": count, "effective_rtf": round(wall / audio_s, 3),
                             "cpu_rtf": round(cpu / (count * audio_s), 3)})
        engine = AsrEngine(registry_engine.registry, workers=count)
        try:
            started, cpu = time.perf_counter(), cpu_seconds()
            results = await asyncio.gather(
                *(transcribe(engine, pcm, fmt, lang) for _ in range(count)))
            wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        finally:
            engine.close()
        rows["pipeline"].append({
            "streams": count, "effective_rtf": round(wall / audio_s, 3),
            "cpu_rtf": round(cpu / (count * audio_s), 3),
            "mean_stream_rtf": round(statistics.fmean(r.rtf for r in results), 3),
            "decoded_share": round(statistics.fmean(r.decoded_s / r.audio_s for r in results),
                                   3)})
    return rows


def _ratios(alone: dict[str, list[dict[str, float]]],
            concurrency: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    keeping = {kind: max((r["streams"] for r in rows if r["effective_rtf"] < 1.0), default=0)
               for kind, rows in concurrency.items()}
    rtf = {kind: rows[0]["effective_rtf"] for kind, rows in alone.items()}
    cpu = {kind: statistics.fmean(r["cpu_rtf"] for r in rows) for kind, rows in concurrency.items()}
    return {
        "rtf_alone_8k": rtf,
        "max_streams_8k_rtf_below_1": keeping,
        # > 1: the pipeline is faster than bare Vosk on the same audio
        "speed_ratio_alone": round(rtf["bare"] / rtf["pipeline"], 3) if rtf["pipeline"] else None,
        # CPU seconds per second of audio, over every stream count; steadier than wall time
        # on a machine shared with other work
        "cpu_rtf_8k": {kind: round(c, 3) for kind, c in cpu.items()},
        "speed_ratio_cpu": round(cpu["bare"] / cpu["pipeline"], 3) if cpu["pipeline"] else None,
        "streams_ratio": round(keeping["pipeline"] / keeping["bare"], 3)
        if keeping["bare"] else None,
        "goal_ratio": 0.9,
    }


async def measure_turns(stack: VoiceStack, clips: list[bytes], lang: str,
                        turns: int) -> dict[str, Any]:
    fmt = AudioFormat(rate=16000)
    silence = bytes(2 * 16000 * 2)  # 2 s: longer than any channel's trailing silence
    finals, dialogue, tts, first_audio = [], [], [], []
    async with Conversation(stack, f"bench-{time.time_ns()}", "kiosk", lang) as talk:  # type: ignore[arg-type]
        for turn in range(turns):
            audio = clips[turn % len(clips)] + silence
            for offset in range(0, len(audio), 3200):
                await talk.hear(AudioChunk(audio[offset:offset + 3200], fmt))
                if talk.utterance_over:
                    break
            started = time.perf_counter()
            events = await talk.respond()
            for event in events:
                if event.type is Ev.STT_FINAL:
                    finals.append(event.data["ms"])
                elif event.type is Ev.DIALOGUE_END and "ms" in event.data:
                    dialogue.append(event.data["ms"])
                elif event.type is Ev.TTS_END:
                    tts.append(event.data["ms"])
                    first_audio.append(1000.0 * (time.perf_counter() - started))
    return {"end_of_speech_to_final_ms": p50_p95(finals),
            "dialogue_turn_ms": p50_p95(dialogue), "tts_ms": p50_p95(tts),
            "end_of_speech_to_first_audio_ms": p50_p95(first_audio)}


def http_baseline_ms(url: str, count: int = 20) -> dict[str, float]:
    times = []
    with httpx.Client(timeout=5.0) as http:
        for _ in range(count):
            started = time.perf_counter()
            http.get(url)
            times.append(1000.0 * (time.perf_counter() - started))
    return p50_p95(times)


async def _run(settings: Settings, lang: str, streams: Sequence[int], turns: int) -> dict[str, Any]:
    settings.tts.voices.setdefault("ko", "ko")
    stack = VoiceStack.from_settings(settings)
    try:
        memory = measure_memory(stack, lang)
        clips8 = await _speech(stack, lang, 8000)
        clips16 = await _speech(stack, lang, 16000)
        audio8 = long_speech(clips8, 8000)
        alone = await measure_concurrency(stack.asr, audio8, lang, [1])
        concurrency = await measure_concurrency(stack.asr, audio8, lang, streams)
        turn_stats = await measure_turns(stack, clips16, lang, turns)
    finally:
        await stack.aclose()
    return {
        "lang": lang,
        "model": str(stack.asr.registry.path_for(lang)),
        "memory": memory,
        "asr_audio_s": round(len(audio8) / 16000, 2),
        "concurrency_8k": concurrency,
        **_ratios(alone, concurrency),
        "turns": turn_stats,
        "baseline": {"dialogue_http_status_ms": http_baseline_ms(
            f"{settings.url('rasa')}/status?token={settings.secrets.rasa_token}")},
        "endpointing_silence_ms": settings.endpointing_for("kiosk").silence_ms,
    }


def run_voice_bench(settings: Settings, lang: str = "ko", streams: Sequence[int] = (1, 2, 4, 8),
                    turns: int = 10) -> dict[str, Any]:
    return asyncio.run(_run(settings, lang, streams, turns))
