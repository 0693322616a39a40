"""Typed values that flow through the pipeline: audio in, transcript, turn, reply, speech out.

This module is a leaf: it imports nothing from the project, so audio/, assistant/ and the
channels can all share it. Every value is a small frozen dataclass.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

Lang = Literal["ru", "en", "ko"]
Channel = Literal["kiosk", "phone", "speaker", "web"]


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
class UserTurn:
    session_id: str
    channel: Channel
    lang: Lang
    text: str
    transcript: Transcript | None = None


@dataclass(frozen=True)
class BotMessage:
    """One reply line. `text` is spoken; `display` (when set) is shown on a screen instead."""

    text: str
    display: str | None = None


@dataclass(frozen=True)
class BotEvent:
    """A side effect of the turn: handoff, language switch, end of session, expected slot..."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BotReply:
    session_id: str
    messages: tuple[BotMessage, ...]
    events: tuple[BotEvent, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(m.text for m in self.messages if m.text)


@dataclass(frozen=True)
class Speech:
    fmt: AudioFormat
    pcm: bytes

    @property
    def duration_ms(self) -> float:
        return 1000.0 * len(self.pcm) / self.fmt.bytes_per_second


class PipelineEventType(StrEnum):
    STT_START = "stt-start"
    STT_PARTIAL = "stt-partial"
    STT_FINAL = "stt-final"
    DIALOGUE_START = "dialogue-start"
    DIALOGUE_END = "dialogue-end"
    TTS_START = "tts-start"
    TTS_END = "tts-end"
    ERROR = "error"
    RUN_END = "run-end"


@dataclass(frozen=True)
class PipelineEvent:
    type: PipelineEventType
    data: dict[str, Any] = field(default_factory=dict)
    timestamp: float = field(default_factory=time.monotonic)


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


class DialogueUnreachableError(PipelineError):
    code = "dialogue-unreachable"


class DialogueTimeoutError(PipelineError):
    code = "dialogue-timeout"


class TtsError(PipelineError):
    code = "tts-failed"
