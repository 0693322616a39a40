"""Issue 11, findings 7, 8 and 9 on the WebSocket routes: tokens and Origin on every route,
control frame and DTMF caps that end only the offending session with a close code, JSON nesting,
no server paths in /v1/asr errors, and no Rasa `/intent` triggers in typed turns."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from assistant.gateway.app import create_app
from assistant.settings import ROOT, Settings
from audio.types import Transcript

TOKEN = "unit-token"
DEEP = "[" * 100_000
NESTED = json.dumps({"type": "cancel", "x": json.loads("[" * 200 + "]" * 200)})


def make_client(**channels: object) -> TestClient:
    settings = Settings(languages=["ru", "en", "ko"],
                        channels={"voice_tokens": [TOKEN], "audiosocket_port": 0,
                                  "max_control_bytes": 4096, "max_dtmf_digits": 8, **channels})
    return TestClient(create_app(settings))


class FakeAsrSession:
    async def set_grammar(self, phrases: Any) -> None:
        pass

    async def finish(self) -> Transcript:
        return Transcript(text="", is_final=True)

    async def cancel(self) -> None:
        pass


class FakeAsr:
    def close(self) -> None:
        pass

    @asynccontextmanager
    async def session(self, lang: str, endpointing: Any = None) -> AsyncIterator[FakeAsrSession]:
        yield FakeAsrSession()


@contextmanager
def asr_client() -> Iterator[TestClient]:
    with make_client() as http:
        http.app.state.voice.asr = FakeAsr()  # type: ignore[attr-defined]
        yield http


def closed_code(ws: WebSocketTestSession) -> int:
    with pytest.raises(WebSocketDisconnect) as gone:
        for _ in range(20):
            ws.receive_text()
    return gone.value.code


# --- tokens and Origin (finding 7; /v1/asr auth, finding 8) ------------------------------------

@pytest.mark.parametrize("path", ["/v1/voice", "/v1/audio-fork", "/v1/asr?lang=ko"])
def test_every_socket_needs_a_token(path: str) -> None:
    with make_client() as http:
        for url in (path, f"{path}{'&' if '?' in path else '?'}token=nope"):
            with pytest.raises(WebSocketDisconnect) as refused, http.websocket_connect(url):
                pass
            assert refused.value.code == 1008


@pytest.mark.parametrize("path", ["/v1/voice", "/v1/audio-fork", "/v1/asr"])
def test_a_foreign_browser_origin_is_refused_even_with_a_token(path: str) -> None:
    with make_client() as http:
        headers = {"Authorization": f"Bearer {TOKEN}", "Origin": "https://evil.example"}
        with pytest.raises(WebSocketDisconnect) as refused, \
                http.websocket_connect(path, headers=headers):
            pass
        assert refused.value.code == 1008


def test_own_origin_listed_origins_and_devices_without_origin_are_served() -> None:
    with make_client(allowed_origins=["https://kiosk.city.example"]) as http:
        for origin in ("http://testserver", "https://kiosk.city.example", None):
            headers = {"Origin": origin} if origin else {}
            with http.websocket_connect(f"/v1/voice?token={TOKEN}", headers=headers) as ws:
                ws.send_text(json.dumps({"type": "config", "lang": "ko", "sample_rate": 16000}))
                assert ws.receive_json()["type"] == "ready"


def test_asr_takes_its_token_from_the_query_like_a_vosk_client() -> None:
    with asr_client() as http, http.websocket_connect(f"/v1/asr?lang=ko&token={TOKEN}") as ws:
        ws.send_text(json.dumps({"eof": 1}))
        assert ws.receive_json()["text"] == ""


# --- JSON depth and control frame size on all three endpoints (finding 8) ----------------------

def test_deep_json_is_a_protocol_error_on_voice() -> None:
    with make_client() as http, http.websocket_connect(f"/v1/voice?token={TOKEN}") as ws:
        ws.send_text("[" * 4000)
        assert ws.receive_json()["code"] == "bad-config"
        ws.send_text(json.dumps({"type": "config", "lang": "ko", "sample_rate": 16000}))
        assert ws.receive_json()["type"] == "ready"
        for frame in ("[" * 4000, NESTED):
            ws.send_text(frame)
            event = ws.receive_json()
            assert event["type"] == "error" and "nested" in event["message"]
        ws.send_text(json.dumps({"type": "cancel"}))
        assert ws.receive_json()["type"] == "cancelled"


def test_deep_json_is_a_protocol_error_on_asr() -> None:
    with asr_client() as http, http.websocket_connect(f"/v1/asr?lang=ko&token={TOKEN}") as ws:
        for frame in ("[" * 4000, json.dumps({"config": json.loads("[" * 200 + "]" * 200)})):
            ws.send_text(frame)
            assert "nested" in ws.receive_json()["error"]
        ws.send_text(json.dumps({"eof": 1}))
        assert ws.receive_json()["text"] == ""


def test_deep_json_is_a_protocol_error_on_audio_fork() -> None:
    with make_client() as http, http.websocket_connect(f"/v1/audio-fork?token={TOKEN}") as ws:
        ws.send_text("[" * 4000)
        assert "JSON object" in ws.receive_json()["data"]["message"]


@pytest.mark.parametrize("path", ["/v1/voice", "/v1/audio-fork"])
def test_an_oversized_control_frame_ends_only_that_session(path: str) -> None:
    with make_client() as http:
        with http.websocket_connect(f"{path}?token={TOKEN}") as ws:
            ws.send_text(DEEP)
            assert closed_code(ws) == 1009
        with http.websocket_connect(f"/v1/voice?token={TOKEN}") as other:  # the gateway serves on
            other.send_text(json.dumps({"type": "config", "lang": "ko", "sample_rate": 16000}))
            assert other.receive_json()["type"] == "ready"


def test_an_oversized_control_frame_ends_the_asr_stream() -> None:
    with asr_client() as http, http.websocket_connect(f"/v1/asr?lang=ko&token={TOKEN}") as ws:
        ws.send_text(DEEP)
        assert "limit" in ws.receive_json()["error"]
        assert closed_code(ws) == 1009


# --- DTMF cap (finding 8) ----------------------------------------------------------------------

def test_a_dtmf_string_over_the_cap_ends_the_fork_session() -> None:
    with make_client() as http, http.websocket_connect(f"/v1/audio-fork?token={TOKEN}") as ws:
        ws.send_text(json.dumps({"lang": "ko", "sampleRate": 8000}))
        ws.send_text(json.dumps({"type": "dtmf", "digits": "1" * 500}))
        seen: list[dict[str, Any]] = []
        with pytest.raises(WebSocketDisconnect) as gone:
            for _ in range(50):
                seen.append(ws.receive_json())
        assert gone.value.code == 1009
        assert any(m.get("type") == "error" and m["data"]["code"] == "dtmf-too-long"
                   for m in seen)


# --- lesser problems (finding 9) ---------------------------------------------------------------

def test_asr_errors_show_no_server_paths() -> None:
    with make_client() as http, http.websocket_connect(f"/v1/asr?lang=ru&token={TOKEN}") as ws:
        answer = ws.receive_json()  # no Russian model is installed in the unit tier
    assert "assistant models pull ru" in answer["error"]
    assert str(ROOT) not in answer["error"] and "/var/models" not in answer["error"]


def test_typed_intent_triggers_are_refused_on_the_voice_socket() -> None:
    with make_client() as http, http.websocket_connect(f"/v1/voice?token={TOKEN}") as ws:
        ws.send_text(json.dumps({"type": "config", "lang": "ko", "sample_rate": 16000}))
        assert ws.receive_json()["type"] == "ready"
        ws.send_text(json.dumps({"type": "text", "text": ' /affirm{"policy": "1"}'}))
        assert ws.receive_json()["code"] == "bad-text"
