"""Decode only speech: a VAD gate in front of the recognizer, with a pre-roll so no word is cut.

Frames (16-bit mono PCM of `frame_ms`) are classified by a VAD. While the gate is closed they
go into a ring of the last `preroll_ms` (plus the voiced run that opens it) and are dropped as
they fall out of it. After `min_speech_ms` of consecutive voiced frames the gate opens: the ring
is released first, so decoding starts `preroll_ms` before the speech onset, and every frame
passes until `hangover_ms` of unvoiced frames have passed too (None: open until `reset()`).
Then the gate closes and buffers again; a pause in an utterance longer than hangover plus
pre-roll reaches Vosk shortened to that, with no speech lost.

The output is a list of `Piece`s: `skipped` bytes of the stream that were not decoded, then
`pcm` to decode. The skipped counts let the recognizer keep word times relative to the stream.

Two ways to drive it: `feed(pcm)` frames and classifies the audio itself; or the gate stands as
the `Vad` of an `Endpointer` (`is_speech`), which then classifies each frame once for both, and
`take()` collects what passed. Pure: no I/O, no clock but the audio itself.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .endpointing import Vad


@dataclass(frozen=True)
class GateConfig:
    preroll_ms: int = 300
    # trailing silence still decoded after speech; with the pre-roll, Vosk sees at least
    # hangover + pre-roll of silence between two stretches of speech (its own segmenting needs
    # 500 ms). None: stay open until reset.
    hangover_ms: int | None = 400
    min_speech_ms: int = 60
    frame_ms: int = 20


@dataclass(frozen=True)
class Piece:
    skipped: int  # bytes of the stream dropped just before `pcm`
    pcm: bytes


class SpeechGate:
    """Frames in, the audio worth decoding out. One per session; `reset()` per utterance."""

    def __init__(self, vad: Vad, config: GateConfig | None = None, rate: int = 16000) -> None:
        self.config = config or GateConfig()
        if self.config.frame_ms not in (10, 20, 30):
            raise ValueError("frame_ms must be 10, 20 or 30 (what WebRTC VAD accepts)")
        self.vad = vad
        self.rate = rate
        self.frame_bytes = 2 * rate * self.config.frame_ms // 1000
        self._preroll_frames = -(-self.config.preroll_ms // self.config.frame_ms)
        self._min_frames = max(1, -(-self.config.min_speech_ms // self.config.frame_ms))
        hang = self.config.hangover_ms
        self._hang_frames = None if hang is None else max(1, -(-hang // self.config.frame_ms))
        self.heard_bytes = 0  # every frame classified since the gate was made
        self.passed_bytes = 0  # the part of them let through
        self.reset()

    def reset(self) -> None:
        """A new utterance: closed, empty ring. The counters keep running."""
        self.open = False
        self._ring: deque[bytes] = deque()
        self._voiced_run = 0
        self._unvoiced_run = 0
        self._skipped = 0
        self._pending = b""
        self._out: list[tuple[int, list[bytes]]] = []

    # -- as a Vad in front of an Endpointer ------------------------------------------------

    def is_speech(self, frame: bytes, rate: int) -> bool:
        voiced = self.vad.is_speech(frame, rate)
        self.push(frame, voiced)
        return voiced

    # -- on its own -----------------------------------------------------------------------

    def feed(self, pcm: bytes) -> list[Piece]:
        """Frame `pcm` (any length), classify each frame, and return what passed."""
        data = self._pending + pcm
        usable = len(data) - len(data) % self.frame_bytes
        for offset in range(0, usable, self.frame_bytes):
            self.is_speech(data[offset : offset + self.frame_bytes], self.rate)
        self._pending = data[usable:]
        return self.take()

    def flush(self, tail: bytes = b"") -> list[Piece]:
        """The utterance ends here: the unframed rest (and `tail`) pass if the gate is open."""
        rest = self._pending + tail
        self._pending = b""
        if rest:
            self.heard_bytes += len(rest)
            if self.open:
                self._emit(rest)
            else:
                self._drop(len(rest))
        return self.take()

    # -- the state machine ----------------------------------------------------------------

    def push(self, frame: bytes, voiced: bool) -> None:
        """One classified frame."""
        self.heard_bytes += len(frame)
        if self.open:
            self._emit(frame)
            self._unvoiced_run = 0 if voiced else self._unvoiced_run + 1
            if self._hang_frames is not None and self._unvoiced_run >= self._hang_frames:
                self.open = False
                self._unvoiced_run = 0
                self._voiced_run = 0
            return
        self._ring.append(frame)
        self._voiced_run = self._voiced_run + 1 if voiced else 0
        if self._voiced_run >= self._min_frames:
            self.open = True
            self._unvoiced_run = 0
            released = b"".join(self._ring)
            self._ring.clear()
            self._emit(released)
            return
        while len(self._ring) > self._preroll_frames + self._voiced_run:
            self._drop(len(self._ring.popleft()))

    def take(self) -> list[Piece]:
        """What passed since the last call, with the skips before each part."""
        out, self._out = self._out, []
        return [Piece(skipped, b"".join(parts)) for skipped, parts in out]

    @property
    def skipped_bytes(self) -> int:
        """Dropped since the last piece (not yet reported in a Piece)."""
        return self._skipped

    def _drop(self, count: int) -> None:
        self._skipped += count

    def _emit(self, pcm: bytes) -> None:
        self.passed_bytes += len(pcm)
        if self._out and self._skipped == 0:
            self._out[-1][1].append(pcm)
        else:
            self._out.append((self._skipped, [pcm]))
        self._skipped = 0
