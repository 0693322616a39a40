"""`/v1/audio-fork`: a media WebSocket in the style of FreeSWITCH mod_audio_fork.

For PBXs without AudioSocket. FreeSWITCH starts it with
`uuid_audio_fork <uuid> start ws://gateway:8080/v1/audio-fork?token=T mono 8k {"lang":"ru"}`:
- the first text frame is the metadata JSON given at start (`lang`, `sampleRate`, `callId`...);
  later text frames are metadata too (`{"type": "dtmf", "digits": "1234#"}` answers a number
  question, other JSON is logged); a DTMF string over `channels.max_dtmf_digits` or a text
  frame over `channels.max_control_bytes` ends the session (error event, close code 1009);
- binary frames are L16 (signed 16-bit little-endian mono) at 8 or 16 kHz (`?sample_rate=`, or
  `sampleRate` in the metadata; default 8000).
The server greets, then sends reply audio back as binary L16 frames at the same rate
(mod_audio_fork's bidirectional mode), or with `?playback=json` as one `playAudio` message per
reply (`{"audioContentType": "raw", "sampleRate", "audioContent": base64}`), which a
mod_audio_fork without bidirectional audio plays from a file. JSON text frames are shaped as
mod_audio_fork events: `transcription`, `killAudio` (barge-in: stop playback), `transfer` (handoff:
the call goes to the operator queue; FreeSWITCH sees `mod_audio_fork::transfer`), `disconnect`
(end or handoff, after the transfer), `error`, and `json` for the rest.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import uuid

from fastapi import APIRouter, WebSocket

from assistant.gateway.channels.call import Call
from assistant.gateway.channels.ws_session import (
    BadFrame,
    Limits,
    SessionOver,
    WsLink,
    WsVoiceSession,
)
from assistant.gateway.contracts import Lang
from assistant.gateway.voice_route import admit, authorize, end_for_drain
from assistant.gateway.wire import (
    FORK_REQUESTS,
    Dtmf,
    ErrorEvent,
    Final,
    ForkDisconnect,
    ForkError,
    ForkJson,
    ForkKillAudio,
    ForkMetadata,
    ForkPlayAudio,
    ForkTranscription,
    ForkTransfer,
    SessionEnd,
    StopAudio,
    UnknownMessageError,
    WireError,
    WireMessage,
    decode,
)
from assistant.settings import Settings
from audio.types import Speech

log = logging.getLogger(__name__)
router = APIRouter()

RATES = (8000, 16000)
LANGS: tuple[Lang, ...] = ("ru", "en", "ko")


def fork_shape(event: WireMessage) -> WireMessage | None:
    """Our wire events as mod_audio_fork server messages."""
    match event:
        case Final(text=text):
            return ForkTranscription(text, is_final=True)
        case StopAudio():
            return ForkKillAudio()
        case SessionEnd(reason=reason):
            return ForkDisconnect(reason)
        case ErrorEvent(code=code, message=message):
            return ForkError(code, message)
        case ForkTransfer():
            return event
    return ForkJson(event.to_dict())


class PlayAudioLink(WsLink):
    """Reply audio as mod_audio_fork `playAudio` JSON (base64 raw L16) instead of binary frames."""

    async def send_audio(self, speech: Speech) -> None:
        content = base64.b64encode(speech.pcm).decode("ascii")
        play = ForkPlayAudio("raw", speech.fmt.rate, content)
        await self.bounded(self.ws.send_text(play.to_json()))


class ForkSession(WsVoiceSession):
    """mod_audio_fork text frames are metadata: DTMF answers, the controls of /v1/voice are
    obeyed, anything else is noted in the log."""

    requests = FORK_REQUESTS

    async def on_bad_control(self, exc: WireError) -> None:
        if isinstance(exc, UnknownMessageError):
            log.info("audio-fork %s metadata (type %r) ignored", self.call.call_id, exc.kind)
        else:
            await super().on_bad_control(exc)

    async def dispatch(self, message: WireMessage) -> None:
        if isinstance(message, Dtmf):
            limit = self.link.limits.max_dtmf_digits
            if len(message.digits) > limit:
                raise BadFrame(f"a DTMF string of {len(message.digits)} keys; the limit is "
                               f"{limit}", code="dtmf-too-long")
            digits = "".join(d for d in message.digits if d.isdigit())
            if digits:
                await self._settle()
                self._start_turn(self.call.stream_text(digits))
            return
        await super().dispatch(message)

    async def _close(self, reason: str) -> None:
        if reason == "handoff":  # where the call goes, before the disconnect
            call = self.call
            record = call.handoffs.route(call.call_id) if call.handoffs is not None else None
            settings: Settings = self.link.ws.app.state.settings
            queue = record.queue if record is not None else (
                settings.channels.operator_queue.replace("{lang}", call.conv.lang))
            with contextlib.suppress(SessionOver):
                await self.link.send_event(ForkTransfer(queue, call.conv.lang, call.call_id))
        await super()._close(reason)


def stream_params(first: ForkMetadata, query_rate: str | None,
                  settings: Settings) -> tuple[str, Lang, int]:
    call_id = first.call_id or str(uuid.uuid4())
    lang = next((lang for lang in LANGS if lang == first.lang and settings.accepts(lang)), None)
    raw = query_rate or first.sample_rate or 8000
    try:
        rate = int(raw)
    except (TypeError, ValueError):
        rate = 0
    if rate not in RATES:
        raise ValueError(f"sample rate {raw!r}: mod_audio_fork streams L16 at 8000 or 16000 Hz")
    return call_id, lang or settings.channels.phone_lang or settings.default_lang, rate


async def read_metadata(link: WsLink) -> ForkMetadata:
    while True:
        message = await link.receive()
        if message.get("text") is None:
            await link.error("bad-order", "the first frame must be the JSON metadata")
            continue
        try:
            return ForkMetadata.from_dict(decode(message["text"]))
        except WireError:
            await link.error("bad-message", "metadata must be a JSON object")


@router.websocket("/v1/audio-fork")
async def audio_fork_socket(ws: WebSocket) -> None:
    settings: Settings = ws.app.state.settings
    if not await authorize(ws, settings):
        return
    ticket = await admit(ws, "an /v1/audio-fork call")
    if ticket is None:
        return
    with ticket:
        await ws.accept()
        json_playback = ws.query_params.get("playback") == "json"
        link_type = PlayAudioLink if json_playback else WsLink
        link = link_type(ws, Limits.from_settings(settings), shape=fork_shape)
        try:
            await fork_session(link, settings)
        except asyncio.CancelledError:
            if not ticket.absorb():
                raise
            await end_for_drain(link)


async def fork_session(link: WsLink, settings: Settings) -> None:
    ws = link.ws
    try:
        first = await read_metadata(link)
        call_id, lang, rate = stream_params(first, ws.query_params.get("sample_rate"), settings)
    except BadFrame as bad:
        await link.refuse(bad)
        return
    except SessionOver:
        return
    except ValueError as exc:
        await link.error("bad-config", str(exc))
        await ws.close(1003)
        return
    log.info("audio-fork call %s: %s, %d Hz", call_id, lang, rate)
    async with Call(ws.app.state.voice, call_id, "phone", lang, rate,
                    handoffs=ws.app.state.handoffs) as call:
        session = ForkSession(link, call, rate)
        await session.run(greet=True)
