"""The JSON messages of the voice protocols, one frozen dataclass each (docs/voice-protocol.md).

Like Wyoming's events: every message has `to_json()` / `from_json(text)` (and `to_dict` /
`from_dict`), and the `parse_*` functions pick the class from the message's `type` field.
Audio never goes through here: it travels as raw binary frames beside the JSON.

- `/v1/voice` (smart speakers, the kiosk page): `VOICE_REQUESTS` in, `VOICE_EVENTS` out;
- `/v1/audio-fork` (FreeSWITCH mod_audio_fork): `ForkMetadata` first, then `FORK_REQUESTS` in,
  and our events reshaped as `FORK_EVENTS` out;
- `/v1/asr` (alphacep vosk-server): keyed messages without a `type` (`VoskConfig`, `VoskEof` in;
  `VoskPartial`, `VoskResult`, `VoskError` out).

The codec (the base class, the checks against the fields' type hints) is `wire_codec`; its
public names are re-exported here. Junk raises `WireError` (a ValueError) whose `code` is the
error code a channel answers with: not JSON, not an object, nested too deeply, a field missing
or of the wrong type (`bad-message`), or an unknown type (`UnknownMessageError`,
`unknown-message`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Self

from assistant.gateway.contracts import Lang
from assistant.gateway.wire_codec import Registry as Registry
from assistant.gateway.wire_codec import UnknownMessageError as UnknownMessageError
from assistant.gateway.wire_codec import WireError as WireError
from assistant.gateway.wire_codec import WireMessage as WireMessage
from assistant.gateway.wire_codec import check, named, opt, registry
from assistant.gateway.wire_codec import decode as decode
from assistant.gateway.wire_codec import from_dict as from_dict
from assistant.gateway.wire_codec import parse as parse

MAX_ID_CHARS = 128


# --- /v1/voice, device -> server ---------------------------------------------------------------

@dataclass(frozen=True)
class Config(WireMessage):
    """The first message of a session."""

    TYPE = "config"
    lang: Lang | None = field(default=None, metadata={"omit": True})
    sample_rate: int = opt(default=16000, omit=False)
    device_id: str = opt(default="unknown", omit=False)
    session_id: str | None = opt()
    channel: Literal["speaker", "kiosk", "web"] = opt(default="speaker", omit=False)
    greet: bool = opt(default=False)

    def __post_init__(self) -> None:
        check(8000 <= self.sample_rate <= 48000, "sample_rate must be 8000..48000")
        check(len(self.device_id) <= MAX_ID_CHARS, f"device_id over {MAX_ID_CHARS} characters")
        check(self.session_id is None or 0 < len(self.session_id) <= MAX_ID_CHARS,
               f"session_id must have 1..{MAX_ID_CHARS} characters")


@dataclass(frozen=True)
class EndOfAudio(WireMessage):
    """The utterance is over (push-to-talk released). `eof` is accepted as an alias."""

    TYPE = "end"
    ALIASES = ("eof",)


@dataclass(frozen=True)
class Cancel(WireMessage):
    TYPE = "cancel"


@dataclass(frozen=True)
class TypedText(WireMessage):
    """A typed turn (or digits): no ASR."""

    TYPE = "text"
    text: str

    def __post_init__(self) -> None:
        check(bool(self.text.strip()), "a text message needs a non-empty 'text'")


@dataclass(frozen=True)
class Repeat(WireMessage):
    TYPE = "repeat"


@dataclass(frozen=True)
class Slower(WireMessage):
    TYPE = "slower"


@dataclass(frozen=True)
class Faster(WireMessage):
    TYPE = "faster"


# --- /v1/voice, server -> device ---------------------------------------------------------------

@dataclass(frozen=True)
class Ready(WireMessage):
    TYPE = "ready"
    session_id: str
    lang: Lang
    sample_rate: int


@dataclass(frozen=True)
class Partial(WireMessage):
    TYPE = "partial"
    text: str


@dataclass(frozen=True)
class StopAudio(WireMessage):
    """Barge-in: the user spoke over the reply audio."""

    TYPE = "stop-audio"


@dataclass(frozen=True)
class WordTiming(WireMessage):
    """One recognised word inside `final` (seconds from the start of the utterance)."""

    word: str
    start: float
    end: float
    conf: float


@dataclass(frozen=True)
class Final(WireMessage):
    TYPE = "final"
    text: str
    confidence: float | None = opt(omit=False)
    words: tuple[WordTiming, ...] = opt(default=(), omit=False)


@dataclass(frozen=True)
class Reply(WireMessage):
    """The dialogue's answer; `events` are the dialogue's own (`expect`, `language`...)."""

    TYPE = "reply"
    texts: tuple[str, ...]
    events: tuple[dict[str, Any], ...] = opt(default=(), omit=False)


@dataclass(frozen=True)
class Display(WireMessage):
    """Text for a screen only, never spoken."""

    TYPE = "display"
    text: str


@dataclass(frozen=True)
class Handoff(WireMessage):
    TYPE = "handoff"
    summary: dict[str, Any]


@dataclass(frozen=True)
class AudioHead(WireMessage):
    """Reply audio follows: `bytes` bytes of PCM16 mono at `sample_rate`, as binary frames."""

    TYPE = "audio"
    text: str
    sample_rate: int
    byte_count: int = named("bytes")


@dataclass(frozen=True)
class AudioEnd(WireMessage):
    TYPE = "audio-end"


@dataclass(frozen=True)
class ErrorEvent(WireMessage):
    TYPE = "error"
    code: str
    message: str


@dataclass(frozen=True)
class TurnEnd(WireMessage):
    """The turn is over. `empty`: an `end` the endpointer had already answered. `cut`: the
    user spoke over the reply (barge-in), so the rest of its audio was not sent."""

    TYPE = "turn-end"
    ms: float | None = opt()
    empty: bool = opt(default=False)
    cut: bool = opt(default=False)


@dataclass(frozen=True)
class Cancelled(WireMessage):
    TYPE = "cancelled"


@dataclass(frozen=True)
class SessionEnd(WireMessage):
    """The session is over; the server closes the socket."""

    TYPE = "end"
    reason: str


# --- /v1/audio-fork (mod_audio_fork) ------------------------------------------------------------

@dataclass(frozen=True)
class Dtmf(WireMessage):
    TYPE = "dtmf"
    digits: str


@dataclass(frozen=True)
class ForkMetadata(WireMessage):
    """The first text frame: the metadata JSON given to `uuid_audio_fork ... start`. Any other
    keys are the PBX's own and are ignored; `uuid` is taken for `callId`."""

    call_id: str | None = opt("callId")
    lang: str | None = opt()
    sample_rate: int | str | None = opt("sampleRate")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        call_id = data.get("callId") or data.get("uuid")
        lang, rate = data.get("lang"), data.get("sampleRate")
        return cls(str(call_id) if call_id else None, lang if isinstance(lang, str) else None,
                   rate if isinstance(rate, int | str) and not isinstance(rate, bool) else None)


@dataclass(frozen=True)
class ForkTranscription(WireMessage):
    TYPE = "transcription"
    NEST = "data"
    text: str
    is_final: bool = True


@dataclass(frozen=True)
class ForkKillAudio(WireMessage):
    TYPE = "killAudio"


@dataclass(frozen=True)
class ForkDisconnect(WireMessage):
    TYPE = "disconnect"
    NEST = "data"
    reason: str


@dataclass(frozen=True)
class ForkTransfer(WireMessage):
    """Handoff: send the call to the operator queue. mod_audio_fork fires it as the FreeSWITCH
    event `mod_audio_fork::transfer` (the `data` object as its body); the dialplan or an ESL
    client transfers the channel (`uuid_transfer <callId> <queue>`). A `disconnect` follows."""

    TYPE = "transfer"
    NEST = "data"
    queue: str
    lang: str
    call_id: str = named("callId")
    reason: str = "handoff"


@dataclass(frozen=True)
class ForkError(WireMessage):
    TYPE = "error"
    NEST = "data"
    code: str
    message: str


@dataclass(frozen=True)
class ForkJson(WireMessage):
    """Any other /v1/voice event, as mod_audio_fork's generic `json` message."""

    TYPE = "json"
    data: dict[str, Any]


@dataclass(frozen=True)
class ForkPlayAudio(WireMessage):
    """`?playback=json`: one reply's audio as base64 raw L16 (mod_audio_fork's `playAudio`)."""

    TYPE = "playAudio"
    NEST = "data"
    audio_content_type: str = named("audioContentType")
    sample_rate: int = named("sampleRate")
    audio_content: str = named("audioContent")


# --- /v1/asr (vosk-server): keyed messages, no type ---------------------------------------------

@dataclass(frozen=True)
class VoskConfig(WireMessage):
    NEST = "config"
    sample_rate: int | float | None = opt()
    phrase_list: tuple[str, ...] | None = opt()
    words: bool | int | None = opt()


@dataclass(frozen=True)
class VoskEof(WireMessage):
    eof: int = 1


@dataclass(frozen=True)
class VoskPartial(WireMessage):
    partial: str


@dataclass(frozen=True)
class VoskWord(WireMessage):
    conf: float
    end: float
    start: float
    word: str


@dataclass(frozen=True)
class VoskResult(WireMessage):
    text: str
    result: tuple[VoskWord, ...] | None = opt()


@dataclass(frozen=True)
class VoskError(WireMessage):
    error: str


# --- dispatch ------------------------------------------------------------------------------------

VOICE_CONTROLS = (EndOfAudio, Cancel, TypedText, Repeat, Slower, Faster)
VOICE_REQUESTS = registry(Config, *VOICE_CONTROLS)
VOICE_EVENTS = registry(Ready, Partial, StopAudio, Final, Reply, Display, Handoff, AudioHead,
                         AudioEnd, ErrorEvent, TurnEnd, Cancelled, SessionEnd)
FORK_REQUESTS = registry(Dtmf, *VOICE_CONTROLS)
FORK_EVENTS = registry(ForkTranscription, ForkKillAudio, ForkTransfer, ForkDisconnect, ForkError,
                        ForkJson, ForkPlayAudio)
VOSK_ANSWERS: Registry = {"error": VoskError, "partial": VoskPartial, "text": VoskResult}


def parse_voice_request(text: str | bytes) -> WireMessage:
    return parse(text, VOICE_REQUESTS)


def parse_voice_event(text: str | bytes) -> WireMessage:
    return parse(text, VOICE_EVENTS)


def parse_fork_request(text: str | bytes) -> WireMessage:
    return parse(text, FORK_REQUESTS)


def parse_fork_event(text: str | bytes) -> WireMessage:
    return parse(text, FORK_EVENTS)


def parse_vosk_request(text: str | bytes) -> VoskConfig | VoskEof:
    """vosk-server's client messages: `{"config": {...}}` or `{"eof": 1}`."""
    data = decode(text)
    if "config" in data:
        return VoskConfig.from_dict(data)
    if data.get("eof"):
        return VoskEof()
    raise WireError("expected a config or an eof message")


def parse_vosk_answer(text: str | bytes) -> WireMessage:
    """vosk-server's answers, told apart by their keys."""
    data = decode(text)
    for name, cls in VOSK_ANSWERS.items():
        if name in data:
            return cls.from_dict(data)
    raise WireError("expected a partial, a result or an error")
