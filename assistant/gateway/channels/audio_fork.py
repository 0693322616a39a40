"""`/v1/audio-fork`: a media WebSocket in the style of FreeSWITCH mod_audio_fork.

For PBXs without AudioSocket. FreeSWITCH starts it with
`uuid_audio_fork <uuid> start ws://gateway:8080/v1/audio-fork?token=T mono 8k {"lang":"ru"}`:
- the first text frame is the metadata JSON given at start (`lang`, `sampleRate`, `callId`...);
  later text frames are metadata too (`{"type": "dtmf", "digits": "1234#"}` answers a number
  question, other JSON is logged);
- binary frames are L16 (signed 16-bit little-endian mono) at 8 or 16 kHz (`?sample_rate=`, or
  `sampleRate` in the metadata; default 8000).
The server greets, then sends reply audio back as binary L16 frames at the same rate
(mod_audio_fork's bidirectional mode), or with `?playback=json` as one `playAudio` message per
reply (`{"audioContentType": "raw", "sampleRate", "audioContent": base64}`), which a
mod_audio_fork without bidirectional audio plays from a file. JSON text frames are shaped as
mod_audio_fork events: `transcription`, `killAudio` (barge-in: stop playback), `disconnect` (end
or handoff), `error`, and `json` for the rest.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from typing import Any

from fastapi import APIRouter, WebSocket

from assistant.gateway.channels.call import Call
from assistant.gateway.channels.ws_session import Limits, SessionOver, WsLink, WsVoiceSession
from assistant.gateway.contracts import Lang
from assistant.gateway.voice_route import authorize
from assistant.settings import Settings
from audio.types import Speech

log = logging.getLogger(__name__)
router = APIRouter()

RATES = (8000, 16000)


def fork_shape(event: dict[str, Any]) -> dict[str, Any] | None:
    """Our wire events as mod_audio_fork server messages."""
    kind = event.get("type")
    if kind == "final":
        return {"type": "transcription", "data": {"text": event.get("text", ""),
                                                  "is_final": True}}
    if kind == "stop-audio":
        return {"type": "killAudio"}
    if kind == "end":
        return {"type": "disconnect", "data": {"reason": event.get("reason")}}
    if kind == "error":
        return {"type": "error", "data": {k: v for k, v in event.items() if k != "type"}}
    return {"type": "json", "data": event}


class PlayAudioLink(WsLink):
    """Reply audio as mod_audio_fork `playAudio` JSON (base64 raw L16) instead of binary frames."""

    async def send_audio(self, speech: Speech) -> None:
        body = {"audioContentType": "raw", "sampleRate": speech.fmt.rate,
                "audioContent": base64.b64encode(speech.pcm).decode("ascii")}
        await self.bounded(self.ws.send_text(json.dumps({"type": "playAudio", "data": body})))


class ForkSession(WsVoiceSession):
    """mod_audio_fork text frames are metadata: DTMF answers, anything else is noted."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message.get("type") == "dtmf" and isinstance(message.get("digits"), str):
            digits = "".join(d for d in message["digits"] if d.isdigit())
            if digits:
                await self._send(await self.call.respond_text(digits))
            return
        if message.get("type") in ("end", "cancel", "text", "repeat", "slower", "faster"):
            await super().dispatch(message)
            return
        log.info("audio-fork %s metadata: %s", self.call.call_id, sorted(message))


def stream_params(first: dict[str, Any], query_rate: str | None,
                  settings: Settings) -> tuple[str, Lang, int]:
    call_id = str(first.get("callId") or first.get("uuid") or uuid.uuid4())
    lang = first.get("lang") if first.get("lang") in ("ru", "en", "ko") else None
    raw = query_rate or first.get("sampleRate") or 8000
    try:
        rate = int(raw)
    except (TypeError, ValueError):
        rate = 0
    if rate not in RATES:
        raise ValueError(f"sample rate {raw!r}: mod_audio_fork streams L16 at 8000 or 16000 Hz")
    return call_id, lang or settings.channels.phone_lang or settings.default_lang, rate  # type: ignore[return-value]


async def read_metadata(link: WsLink) -> dict[str, Any]:
    while True:
        message = await link.receive()
        if message.get("text") is None:
            await link.error("bad-order", "the first frame must be the JSON metadata")
            continue
        try:
            data = json.loads(message["text"])
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
        await link.error("bad-message", "metadata must be a JSON object")


@router.websocket("/v1/audio-fork")
async def audio_fork_socket(ws: WebSocket) -> None:
    settings: Settings = ws.app.state.settings
    if not await authorize(ws, settings):
        return
    await ws.accept()
    json_playback = ws.query_params.get("playback") == "json"
    link_type = PlayAudioLink if json_playback else WsLink
    link = link_type(ws, Limits.from_settings(settings), shape=fork_shape)
    try:
        first = await read_metadata(link)
        call_id, lang, rate = stream_params(first, ws.query_params.get("sample_rate"), settings)
    except SessionOver:
        return
    except ValueError as exc:
        await link.error("bad-config", str(exc))
        await ws.close(1003)
        return
    log.info("audio-fork call %s: %s, %d Hz", call_id, lang, rate)
    async with Call(ws.app.state.voice, call_id, "phone", lang, rate) as call:
        session = ForkSession(link, call, rate, barge_in_event={"type": "stop-audio"})
        await session.run(greet=True)
