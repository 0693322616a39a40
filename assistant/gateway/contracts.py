"""Typed values of the gateway's pipeline: the user's turn, the bot's reply, the stage events.

The audio values (chunks, transcripts, speech) and the base `PipelineError` live in `audio.types`.
Every value is a small frozen dataclass.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from audio.types import PipelineError, Transcript

Lang = Literal["ru", "en", "ko"]
Channel = Literal["kiosk", "phone", "speaker", "web"]


@dataclass(frozen=True)
class UserTurn:
    session_id: str
    channel: Channel
    lang: Lang
    text: str
    transcript: Transcript | None = None


@dataclass(frozen=True)
class BotMessage:
    """One reply line, spoken (text to show but not speak travels as a `display` event)."""

    text: str


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


class DialogueUnreachableError(PipelineError):
    code = "dialogue-unreachable"


class DialogueTimeoutError(PipelineError):
    code = "dialogue-timeout"


class DialogueEmptyError(PipelineError):
    """Rasa answered, with nothing to say (a failed action, or no model loaded)."""

    code = "dialogue-empty"
