"""Channel limits and refusals with TestClient: no models are loaded, no processes started."""

from __future__ import annotations

import asyncio
import json
import struct

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from assistant.gateway.app import create_app
from assistant.gateway.channels.audio_fork import fork_shape
from assistant.gateway.channels.audiosocket_protocol import (
    Kind,
    ProtocolError,
    call_uuid,
    dtmf,
    read_message,
)
from assistant.gateway.channels.handoff import mask_summary
from assistant.gateway.wire import (
    ErrorEvent,
    Final,
    ForkDisconnect,
    ForkError,
    ForkJson,
    ForkKillAudio,
    ForkTranscription,
    Partial,
    SessionEnd,
    StopAudio,
    TurnEnd,
)
from assistant.settings import Settings

TOKEN = "unit-token"


def client(**channels: object) -> TestClient:
    settings = Settings(languages=["ru", "en", "ko"],
                        channels={"voice_tokens": [TOKEN], "audiosocket_port": 0, **channels})
    return TestClient(create_app(settings))


def config(**extra: object) -> str:
    return json.dumps({"type": "config", "lang": "ko", "sample_rate": 16000, **extra})


def test_voice_refuses_a_bad_token_before_accepting() -> None:
    with client() as http:
        for path in ("/v1/voice", "/v1/voice?token=nope", "/v1/audio-fork?token=nope"):
            with pytest.raises(WebSocketDisconnect) as refused, http.websocket_connect(path):
                pass
            assert refused.value.code == 1008


def test_idle_device_is_closed_politely() -> None:
    with client(idle_timeout_s=0.2) as http, \
            http.websocket_connect("/v1/voice", headers={"Authorization": f"Bearer {TOKEN}"}) \
            as ws:
        ws.send_text(config())
        assert ws.receive_json()["type"] == "ready"
        assert ws.receive_json() == {"type": "end", "reason": "idle-timeout"}


def test_session_length_limit() -> None:
    with client(idle_timeout_s=5, max_session_s=0.3) as http, \
            http.websocket_connect(f"/v1/voice?token={TOKEN}") as ws:
        ws.send_text(config())
        ws.receive_json()
        for _ in range(3):
            ws.send_text(json.dumps({"type": "cancel"}))
            assert ws.receive_json()["type"] == "cancelled"
        assert ws.receive_json() == {"type": "end", "reason": "session-limit"}


def test_too_large_frames_and_junk_before_any_model_is_needed() -> None:
    with client(max_frame_bytes=100) as http, \
            http.websocket_connect(f"/v1/voice?token={TOKEN}") as ws:
        ws.send_bytes(b"\0" * 10)
        assert ws.receive_json()["code"] == "bad-order"
        ws.send_text(config(sample_rate=1_000_000))
        assert ws.receive_json()["code"] == "bad-config"
        ws.send_text(config())
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(b"\0" * 101)
        assert ws.receive_json()["code"] == "frame-too-large"
        ws.send_text(json.dumps({"type": "text", "text": ""}))
        assert ws.receive_json()["code"] == "bad-message"
        ws.send_text(json.dumps({"type": "end"}))
        assert ws.receive_json()["code"] == "no-audio"


def test_kiosk_page_is_served() -> None:
    with client() as http:
        page = http.get("/kiosk")
        assert page.status_code == 200 and 'id="talk"' in page.text
        worklet = http.get("/kiosk/static/mic-worklet.js")
        assert "registerProcessor" in worklet.text


def test_handoff_summary_is_masked() -> None:
    masked = mask_summary({"slots": {"policy_number": "7700123456789012"},
                           "last_turns": [{"text": "born 1980-05-17"}], "n": 3})
    assert masked == {"slots": {"policy_number": "************9012"},
                      "last_turns": [{"text": "born ****-**-**"}], "n": 3}


def test_fork_shapes_events_like_mod_audio_fork() -> None:
    assert fork_shape(StopAudio()) == ForkKillAudio()
    assert fork_shape(SessionEnd("handoff")) == ForkDisconnect("handoff")
    assert fork_shape(Final("네", 0.9)) == ForkTranscription("네", is_final=True)
    assert fork_shape(ErrorEvent("no-audio", "m")) == ForkError("no-audio", "m")
    assert fork_shape(TurnEnd(12.5)) == ForkJson({"type": "turn-end", "ms": 12.5})
    shaped = fork_shape(Final("네", None))
    assert shaped is not None and shaped.to_json() == (
        '{"type": "transcription", "data": {"text": "네", "is_final": true}}')


async def test_audiosocket_codec_reads_what_asterisk_writes() -> None:
    import uuid

    reader = asyncio.StreamReader()
    call = uuid.UUID(int=7)
    reader.feed_data(call_uuid(call).encode() + dtmf("#").encode())
    reader.feed_data(bytes([Kind.AUDIO]) + struct.pack(">H", 400) + bytes(400))
    reader.feed_eof()
    first = await read_message(reader, 320)
    assert first is not None and first.call_id == str(call)
    second = await read_message(reader, 320)
    assert second is not None and second.digit == "#"
    with pytest.raises(ProtocolError):
        await read_message(reader, 320)  # 400 bytes over a 320-byte limit


async def test_a_client_that_stops_reading_ends_only_its_session() -> None:
    from assistant.gateway.channels.ws_session import Limits, SessionOver, WsLink

    class Stalled:
        async def send_text(self, text: str) -> None:
            await asyncio.Event().wait()  # the peer's window is full forever

    link = WsLink(Stalled(), Limits(idle_timeout_s=0.05))  # type: ignore[arg-type]
    with pytest.raises(SessionOver) as over:
        await link.send_event(Partial("..."))
    assert over.value.reason == "slow-client"
