"""Asterisk AudioSocket framing: 1-byte kind, 2-byte big-endian length, payload.

Kinds: 0x00 hangup, 0x01 UUID (16 bytes, first), 0x03 DTMF (1 ASCII byte),
0x10 audio (signed linear 16-bit, 8 kHz, mono; usually 20 ms = 320 bytes), 0xff error.
Pure code: no sockets here, so the codec is tested byte by byte.
"""

from __future__ import annotations

import asyncio
import struct
import uuid
from dataclasses import dataclass
from enum import IntEnum

HEADER = struct.Struct(">BH")
AUDIO_RATE = 8000
FRAME_MS = 20
FRAME_BYTES = AUDIO_RATE * 2 * FRAME_MS // 1000  # 320


class Kind(IntEnum):
    HANGUP = 0x00
    UUID = 0x01
    DTMF = 0x03
    AUDIO = 0x10
    ERROR = 0xFF


class ProtocolError(ValueError):
    """The peer sent something that is not AudioSocket."""


@dataclass(frozen=True)
class Message:
    kind: Kind
    payload: bytes = b""

    def encode(self) -> bytes:
        return HEADER.pack(self.kind, len(self.payload)) + self.payload

    @property
    def call_id(self) -> str:
        if self.kind is not Kind.UUID or len(self.payload) != 16:
            raise ProtocolError("not a 16-byte UUID message")
        return str(uuid.UUID(bytes=self.payload))

    @property
    def digit(self) -> str:
        if self.kind is not Kind.DTMF or len(self.payload) != 1:
            raise ProtocolError("not a 1-byte DTMF message")
        return self.payload.decode("ascii", errors="replace")


def audio(pcm: bytes) -> Message:
    return Message(Kind.AUDIO, pcm)


def hangup() -> Message:
    return Message(Kind.HANGUP)


def call_uuid(value: uuid.UUID) -> Message:
    return Message(Kind.UUID, value.bytes)


def dtmf(digit: str) -> Message:
    return Message(Kind.DTMF, digit.encode("ascii"))


async def read_message(reader: asyncio.StreamReader, max_payload: int) -> Message | None:
    """The next message, or None at a clean end of stream."""
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise ProtocolError("stream ended inside a message header") from exc
        return None
    raw_kind, length = HEADER.unpack(header)
    try:
        kind = Kind(raw_kind)
    except ValueError as exc:
        raise ProtocolError(f"unknown message kind 0x{raw_kind:02x}") from exc
    if length > max_payload:
        raise ProtocolError(f"payload of {length} bytes is over the limit of {max_payload}")
    try:
        payload = await reader.readexactly(length)
    except asyncio.IncompleteReadError as exc:
        raise ProtocolError("stream ended inside a payload") from exc
    return Message(kind, payload)
