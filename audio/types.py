"""Typed values of sound in and out, and the errors of the audio stages.

A leaf module: it imports nothing from the project. The pipeline's own audio is 16 kHz, 16-bit,
mono; channels convert at their edge. `PipelineError` is the base of every stage's error, here
because audio is the lowest layer that raises one; the gateway's stages subclass it too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AudioFormat:
    """PCM layout. The pipeline's own audio is 16 kHz, 16-bit, mono."""

    rate: int = 16000
    width: int = 2
    channels: int = 1

    @property
    def bytes_per_second(self) -> int:
        return self.rate * self.width * self.channels


PIPELINE_FORMAT = AudioFormat()


@dataclass(frozen=True)
class AudioChunk:
    pcm: bytes
    fmt: AudioFormat = PIPELINE_FORMAT
    timestamp_ms: int = 0

    @property
    def duration_ms(self) -> float:
        return 1000.0 * len(self.pcm) / self.fmt.bytes_per_second


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float
    conf: float


@dataclass(frozen=True)
class Transcript:
    text: str
    is_final: bool
    confidence: float = 1.0
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Speech:
    fmt: AudioFormat
    pcm: bytes

    @property
    def duration_ms(self) -> float:
        return 1000.0 * len(self.pcm) / self.fmt.bytes_per_second


class PipelineError(Exception):
    """A stage failure with a stable code; each code maps to a spoken fallback line."""

    code: str = "internal"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class AsrError(PipelineError):
    code = "asr-failed"


class NoSpeechError(AsrError):
    code = "asr-no-speech"


class ModelMissingError(AsrError):
    code = "asr-model-missing"


class AudioFormatError(PipelineError):
    code = "audio-bad-format"


class TtsError(PipelineError):
    code = "tts-failed"

