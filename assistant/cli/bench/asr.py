"""Grammar by slot vs open vocabulary: word error and latency on known phrases.

The speech is made by espeak-ng (through our TTS engine) at several speaking rates, so the
reference text is known. `bench_grammar()` returns a dict; `assistant bench voice` writes it as
JSON. Nothing here compares against fixed thresholds: the two modes are measured in the same run.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.cli.bench.stats import percentile
from audio.asr import ModelRegistry, builtin_model_paths
from audio.session import AsrEngine, Transcription, transcribe
from audio.tts import TtsEngine
from audio.types import AudioFormat

log = logging.getLogger(__name__)

KO_DIGITS = ("영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구")
KO_YES_NO = ("네", "아니요")


@dataclass(frozen=True)
class GrammarSlot:
    """A dialogue slot: what the caller says, and the phrase list the recognizer gets for it."""

    name: str
    grammar: tuple[str, ...]
    utterances: tuple[str, ...]


KO_SLOTS = (
    GrammarSlot("digits", KO_DIGITS,
                ("일 이 삼", "사 오 육 칠", "팔 구 영", "삼 일 오", "구 칠 이 사")),
    GrammarSlot("yes_no", KO_YES_NO, ("네", "아니요")),
)


def word_errors(reference: str, hypothesis: str) -> int:
    """Levenshtein distance between word sequences (substitutions, insertions, deletions)."""
    ref, hyp = reference.split(), hypothesis.split()
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def _summary(refs: list[str], results: list[Transcription]) -> dict[str, Any]:
    errors = sum(word_errors(r, t.final.text) for r, t in zip(refs, results, strict=True))
    words = sum(len(r.split()) for r in refs)
    latencies = [t.final_latency_ms for t in results]
    return {
        "wer": round(errors / words, 4),
        "sentence_accuracy": round(
            sum(r == t.final.text for r, t in zip(refs, results, strict=True)) / len(refs), 4
        ),
        "final_latency_ms": {
            "p50": round(percentile(latencies, 50), 2),
            "p95": round(percentile(latencies, 95), 2),
            "mean": round(statistics.fmean(latencies), 2),
        },
        "rtf": round(statistics.fmean(t.rtf for t in results), 4),
    }


async def _run(
    engine: AsrEngine, tts: TtsEngine, slots: Sequence[GrammarSlot], lang: str, wpms: Sequence[int],
    sample_rate: int,
) -> dict[str, Any]:
    refs: list[str] = []
    open_results: list[Transcription] = []
    grammar_results: list[Transcription] = []
    examples = []
    fmt = AudioFormat(rate=sample_rate)
    for slot in slots:
        for text in slot.utterances:
            for wpm in wpms:
                speech = await tts.synthesize(text, lang, rate=wpm, out_rate=sample_rate)
                free = await transcribe(engine, speech.pcm, fmt, lang)
                restricted = await transcribe(engine, speech.pcm, fmt, lang, slot.grammar)
                refs.append(text)
                open_results.append(free)
                grammar_results.append(restricted)
                examples.append({"slot": slot.name, "wpm": wpm, "ref": text,
                                 "open": free.final.text, "grammar": restricted.final.text})
    return {
        "cases": len(refs),
        "open_vocabulary": _summary(refs, open_results),
        "grammar": _summary(refs, grammar_results),
        "examples": examples,
    }


def bench_grammar(
    registry: ModelRegistry | None = None,
    lang: str = "ko",
    slots: Sequence[GrammarSlot] = KO_SLOTS,
    wpms: Sequence[int] = (130, 170, 210),
    sample_rate: int = 16000,
) -> dict[str, Any]:
    """Open vocabulary vs grammar by slot on espeak-ng speech; the Korean test model by default."""
    registry = registry or ModelRegistry(builtin_model_paths())
    engine = AsrEngine(registry, workers=1)
    tts = TtsEngine(voices={lang: lang})
    try:
        path = registry.path_for(lang)
        registry.get(lang)
        result = asyncio.run(_run(engine, tts, slots, lang, wpms, sample_rate))
    finally:
        engine.close()
        tts.close()
    return {
        "model": path.name if path.name != "model" else path.parent.name,
        "model_path": str(path),
        "lang": lang,
        "sample_rate": sample_rate,
        "wpms": list(wpms),
        "model_load_s": round(registry.load_seconds.get(str(path), 0.0), 3),
        **result,
    }
