"""Endpointing of our own: when did the caller start speaking, and when did they stop?

The PyPI vosk 0.3.45 cannot change its endpointer delays, so the decision is made here, on the
pipeline's 16 kHz mono PCM, frame by frame. It is pure: feed bytes, get events. The clock is the
audio itself (milliseconds of audio fed since the last reset), never the wall clock.

Events:
- `speech-start`      enough consecutive voiced frames (default 60 ms);
- `end-of-utterance`  `silence_ms` of unvoiced audio after speech (per channel in config.yml),
                      or the shorter silence set by `shorten()` for this utterance alone (early
                      endpointing: the answer is already complete); then `early` is true;
- `no-speech-timeout` no speech within `start_timeout_ms` of the start;
- `max-length`        speech went on for `max_utterance_ms`.
The last three are terminal: after one, `feed` returns nothing until `reset()`.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import numpy as np

from audio.types import AudioFormatError

from .formats import rms_dbfs

log = logging.getLogger(__name__)


class EndpointEventType(StrEnum):
    SPEECH_START = "speech-start"
    END_OF_UTTERANCE = "end-of-utterance"
    NO_SPEECH_TIMEOUT = "no-speech-timeout"
    MAX_LENGTH = "max-length"

    @property
    def terminal(self) -> bool:
        return self is not EndpointEventType.SPEECH_START


@dataclass(frozen=True)
class EndpointEvent:
    type: EndpointEventType
    at_ms: int  # audio time since reset at which the event holds
    early: bool = False  # an end-of-utterance after the shortened silence of `shorten()`


@dataclass(frozen=True)
class EndpointConfig:
    silence_ms: int = 700
    start_timeout_ms: int = 6000
    max_utterance_ms: int = 15000
    min_speech_ms: int = 60
    early_silence_ms: int = 0  # the silence after a complete restricted answer; 0: never early

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> EndpointConfig:
        known = {k: int(v) for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @classmethod
    def for_channel(
        cls, channel: str, table: Mapping[str, Mapping[str, Any]] | None
    ) -> EndpointConfig:
        """The channel's row of config.yml's `endpointing:` table, or the defaults."""
        row = (table or {}).get(channel)
        return cls.from_mapping(row) if row else cls()


class Vad(Protocol):
    def is_speech(self, frame: bytes, rate: int) -> bool: ...


class EnergyVad:
    """Voiced when the frame's RMS is above a fixed level. Deterministic; good for unit tests."""

    def __init__(self, threshold_dbfs: float = -40.0) -> None:
        self.threshold_dbfs = threshold_dbfs

    def is_speech(self, frame: bytes, rate: int) -> bool:
        samples = np.frombuffer(frame, dtype="<i2")
        return rms_dbfs(samples) > self.threshold_dbfs


class WebRtcVad:
    """WebRTC's voice detector, gated by level: above `min_dbfs` and `margin_db` over the noise.

    The noise floor is the quietest frame of the last `window_ms`: speech has gaps between
    syllables, steady hiss does not, so hiss never counts as speech however loud it is.
    """

    def __init__(
        self,
        aggressiveness: int = 2,
        min_dbfs: float = -50.0,
        margin_db: float = 6.0,
        window_ms: int = 1500,
    ) -> None:
        import webrtcvad

        self._vad = webrtcvad.Vad(aggressiveness)
        self.min_dbfs = min_dbfs
        self.margin_db = margin_db
        self.window_ms = window_ms
        self._levels: deque[float] = deque()

    def noise_floor(self) -> float:
        return min(self._levels) if self._levels else -120.0

    def is_speech(self, frame: bytes, rate: int) -> bool:
        level = rms_dbfs(np.frombuffer(frame, dtype="<i2"))
        frame_ms = 1000 * len(frame) // (2 * rate)
        self._levels.append(level)
        while len(self._levels) * frame_ms > self.window_ms:
            self._levels.popleft()
        if level < self.min_dbfs or level < self.noise_floor() + self.margin_db:
            return False
        return bool(self._vad.is_speech(frame, rate))


class Endpointer:
    """Feed PCM (16-bit mono at `rate`), get EndpointEvents. One per session; `reset()` per turn."""

    def __init__(
        self,
        config: EndpointConfig | None = None,
        rate: int = 16000,
        frame_ms: int = 20,
        vad: Vad | None = None,
    ) -> None:
        if frame_ms not in (10, 20, 30):
            raise ValueError("frame_ms must be 10, 20 or 30 (what WebRTC VAD accepts)")
        self.config = config or EndpointConfig()
        self.rate = rate
        self.frame_ms = frame_ms
        self._frame_bytes = 2 * rate * frame_ms // 1000
        self._vad: Vad = vad if vad is not None else WebRtcVad()
        self.reset()

    def reset(self) -> None:
        self._pending = b""
        self.position_ms = 0
        self.speech_start_ms: int | None = None
        self.last_speech_ms = 0
        self._voiced_run_ms = 0
        self.done: EndpointEvent | None = None
        self._short_silence_ms: int | None = None

    def shorten(self, silence_ms: int | None) -> None:
        """End this utterance after `silence_ms` of silence instead of the configured
        `silence_ms` (never longer); None restores it. `reset()` restores it too."""
        if silence_ms is None or silence_ms <= 0:
            self._short_silence_ms = None
        else:
            self._short_silence_ms = min(silence_ms, self.config.silence_ms)

    @property
    def silence_ms(self) -> int:
        """The trailing silence that ends the current utterance."""
        short = self._short_silence_ms
        return short if short is not None else self.config.silence_ms

    @property
    def in_speech(self) -> bool:
        return self.speech_start_ms is not None and self.done is None

    def feed(self, pcm: bytes) -> list[EndpointEvent]:
        if len(pcm) % 2:
            raise AudioFormatError(
                f"endpointer got {len(pcm)} bytes: 16-bit PCM needs an even byte count"
            )
        if self.done is not None:
            return []
        data = self._pending + pcm
        events: list[EndpointEvent] = []
        offset = 0
        while offset + self._frame_bytes <= len(data) and self.done is None:
            frame = data[offset : offset + self._frame_bytes]
            offset += self._frame_bytes
            self.position_ms += self.frame_ms
            event = self._step(self._vad.is_speech(frame, self.rate))
            if event is not None:
                events.append(event)
                if event.type.terminal:
                    self.done = event
        self._pending = data[offset:] if self.done is None else b""
        return events

    def _step(self, voiced: bool) -> EndpointEvent | None:
        now = self.position_ms
        cfg = self.config
        if self.speech_start_ms is None:
            self._voiced_run_ms = self._voiced_run_ms + self.frame_ms if voiced else 0
            if self._voiced_run_ms >= cfg.min_speech_ms:
                self.speech_start_ms = now - self._voiced_run_ms
                self.last_speech_ms = now
                return EndpointEvent(EndpointEventType.SPEECH_START, self.speech_start_ms)
            if now >= cfg.start_timeout_ms:
                return EndpointEvent(EndpointEventType.NO_SPEECH_TIMEOUT, now)
            return None
        if voiced:
            self.last_speech_ms = now
        if now - self.last_speech_ms >= self.silence_ms:
            early = self.silence_ms < cfg.silence_ms
            return EndpointEvent(EndpointEventType.END_OF_UTTERANCE, now, early)
        if now - self.speech_start_ms >= cfg.max_utterance_ms:
            return EndpointEvent(EndpointEventType.MAX_LENGTH, now)
        return None
