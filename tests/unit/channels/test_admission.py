"""Issue 12 item 4: admission control and graceful drain, against the gateway's own server
(`python -m assistant.gateway` = assistant.gateway.server.gateway_server) on loopback, with raw
AudioSocket and WebSocket clients. No model is loaded: the voice stack is a fake whose TTS returns
200 ms of silence and notes every line it speaks."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.websockets import WebSocket
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

import assistant.gateway.app as gateway_app
from assistant.gateway.admission import Admission
from assistant.gateway.app import create_app
from assistant.gateway.channels.audiosocket_protocol import HEADER, Kind, call_uuid, hangup
from assistant.gateway.fallbacks import fallback_line
from assistant.gateway.server import DrainingServer, gateway_server
from assistant.gateway.voice_route import admit
from assistant.settings import Settings
from audio.types import AudioFormat, Speech, Transcript
from tests.conftest import free_port

TOKEN = "unit-token"
BUSY = fallback_line("lines-busy", "ru")
GOODBYE = fallback_line("gateway-closing", "ru")
GREETING = fallback_line("greeting", "ru")


# --- a voice stack without models --------------------------------------------------------------
class FakeTts:
    def __init__(self) -> None:
        self.spoken: list[str] = []

    def rate_for(self, slow: bool = False) -> int:
        return 120 if slow else 170

    async def synthesize(self, text: str, lang: str, rate: int | None = None,
                         out_rate: int = 16000, cache: bool = False) -> Speech:
        self.spoken.append(text)
        return Speech(AudioFormat(rate=out_rate), b"\0\0" * (out_rate // 5))

    def request(self, text: str, lang: str, rate: int | None = None,
                out_rate: int = 16000) -> tuple[str, int]:
        return text, out_rate

    def submit(self, req: tuple[str, int], cache: bool = False) -> Future[Speech]:
        """The pipeline's sentence-by-sentence path: a Future already done."""
        text, out_rate = req
        self.spoken.append(text)
        done: Future[Speech] = Future()
        done.set_result(Speech(AudioFormat(rate=out_rate), b"\0\0" * (out_rate // 5)))
        return done

    def close(self) -> None:
        pass


class FakeAsrSession:
    done = None

    async def set_grammar(self, phrases: Any) -> None:
        pass

    async def finish(self) -> Transcript:
        return Transcript(text="", is_final=True)

    async def cancel(self) -> None:
        pass


class FakeAsr:
    async def preload(self, lang: str) -> float:
        return 0.0

    @asynccontextmanager
    async def session(self, lang: str, endpointing: Any = None) -> AsyncIterator[FakeAsrSession]:
        yield FakeAsrSession()

    def close(self) -> None:
        pass


class FakeDialogue:
    async def aclose(self) -> None:
        pass


@dataclass
class FakeStack:
    settings: Settings
    asr: FakeAsr = field(default_factory=FakeAsr)
    tts: FakeTts = field(default_factory=FakeTts)
    dialogue: FakeDialogue = field(default_factory=FakeDialogue)
    observers: list[Any] = field(default_factory=list)

    async def aclose(self) -> None:
        pass


# --- the gateway in a thread --------------------------------------------------------------------
@dataclass
class Gateway:
    server: DrainingServer
    app: Any
    thread: threading.Thread
    port: int
    phone_port: int

    @property
    def admission(self) -> Admission:
        admission: Admission = self.app.state.admission
        return admission

    @property
    def spoken(self) -> list[str]:
        spoken: list[str] = self.app.state.voice.tts.spoken
        return spoken


@contextmanager
def running_gateway(monkeypatch: pytest.MonkeyPatch, max_streams: int,
                    drain_s: float = 30.0) -> Iterator[Gateway]:
    class FakeStackOf:
        @staticmethod
        def from_settings(settings: Settings, dialogue: Any = None) -> FakeStack:
            return FakeStack(settings)

    monkeypatch.setattr(gateway_app, "VoiceStack", FakeStackOf)
    port, phone_port = free_port(), free_port()
    settings = Settings(  # type: ignore[call-arg]
        asr={"max_streams": max_streams},
        gateway={"drain_s": drain_s, "retry_after_s": 7},
        channels={"voice_tokens": [TOKEN], "audiosocket_port": phone_port, "idle_timeout_s": 10})
    app = create_app(settings, dialogue=FakeDialogue())  # type: ignore[arg-type]
    server = gateway_server(settings, app, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    within(20, lambda: server.started, "the gateway did not start")
    try:
        yield Gateway(server, app, thread, port, phone_port)
    finally:
        server.should_exit = True
        thread.join(10)


def within(seconds: float, check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


# --- clients ------------------------------------------------------------------------------------
class Phone:
    """Asterisk's side of one AudioSocket call, on a blocking socket."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(call_uuid(uuid.uuid4()).encode())

    def _exactly(self, n: int) -> bytes | None:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def next(self) -> Kind | None:
        """The next message's kind; None when the gateway closed the connection."""
        header = self._exactly(HEADER.size)
        if header is None:
            return None
        kind, length = HEADER.unpack(header)
        if length and self._exactly(length) is None:
            return None
        return Kind(kind)

    def until_closed(self) -> list[Kind]:
        kinds: list[Kind] = []
        for _ in range(2000):  # bounded: a few seconds of 20 ms frames
            kind = self.next()
            if kind is None:
                return kinds
            kinds.append(kind)
        raise AssertionError("the gateway never closed the call")

    def hang_up(self) -> None:
        self.sock.sendall(hangup().encode())

    def close(self) -> None:
        self.sock.close()


def answered(phone: Phone) -> bool:
    """The call was taken: its first message is audio (the greeting), not a refusal."""
    return phone.next() is Kind.AUDIO


def refused_by_voice(kinds: list[Kind]) -> bool:
    return Kind.AUDIO in kinds and kinds[-1] is Kind.HANGUP


def voice(port: int, path: str = "/v1/voice") -> ClientConnection:
    return connect(f"ws://127.0.0.1:{port}{path}", open_timeout=5, close_timeout=2,
                   additional_headers={"Authorization": f"Bearer {TOKEN}"})


def start_session(port: int) -> ClientConnection:
    ws = voice(port)
    ws.send(json.dumps({"type": "config", "lang": "ru", "sample_rate": 16000}))
    assert json.loads(ws.recv(timeout=5))["type"] == "ready"
    return ws


def refusal(port: int, path: str) -> tuple[int, str]:
    """(HTTP status, Retry-After) of a WebSocket refused before its upgrade."""
    with pytest.raises(InvalidStatus) as refused:
        voice(port, path).close()
    response = refused.value.response
    return response.status_code, response.headers.get("Retry-After", "")


def health(port: int) -> tuple[int, dict[str, Any]]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


WS_PATHS = ["/v1/voice", "/v1/audio-fork", "/v1/asr?lang=ru"]


# --- capacity -----------------------------------------------------------------------------------
def test_over_capacity_calls_are_refused_and_a_finished_call_frees_its_place(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with running_gateway(monkeypatch, max_streams=1) as gw:
        first = Phone(gw.phone_port)
        assert answered(first)
        within(5, lambda: gw.admission.active == 1, "the call holds no place")

        # the next caller hears the busy line, then a hangup frame, then the line closes
        second = Phone(gw.phone_port)
        assert refused_by_voice(second.until_closed())
        assert BUSY in gw.spoken
        second.close()
        # every WebSocket route refuses before the upgrade, with Retry-After
        for path in WS_PATHS:
            assert refusal(gw.port, path) == (503, "7")
        assert health(gw.port)[0] == 200  # full is not unhealthy

        first.hang_up()
        assert Kind.HANGUP not in first.until_closed()  # the rest of the greeting, then closed
        first.close()
        within(5, lambda: gw.admission.active == 0, "a finished call kept its place")

        # the freed place goes to a WebSocket; then the phone is refused again
        session = start_session(gw.port)
        third = Phone(gw.phone_port)
        assert refused_by_voice(third.until_closed())
        third.close()
        session.close()
        within(5, lambda: gw.admission.active == 0, "a closed session kept its place")
        fourth = Phone(gw.phone_port)
        assert answered(fourth)
        fourth.close()
        assert gw.admission.refused == 5


def test_health_reports_calls_and_capacity(monkeypatch: pytest.MonkeyPatch) -> None:
    with running_gateway(monkeypatch, max_streams=1) as gw:
        session = start_session(gw.port)
        assert gw.admission.active == 1
        status, body = health(gw.port)
        assert status == 200 and body["calls"] == 1 and body["capacity"] == 1
        session.close()


# --- drain --------------------------------------------------------------------------------------
def test_sigterm_drains_then_ends_the_rest_politely(monkeypatch: pytest.MonkeyPatch) -> None:
    drain_s = 1.5
    with running_gateway(monkeypatch, max_streams=4, drain_s=drain_s) as gw:
        finishing, staying = Phone(gw.phone_port), Phone(gw.phone_port)
        assert answered(finishing) and answered(staying)
        session = start_session(gw.port)
        within(5, lambda: gw.admission.active == 3, "three calls should hold places")

        gw.server.handle_exit(signal.SIGTERM, None)
        started = time.monotonic()
        within(2, lambda: health(gw.port)[0] == 503, "/healthz does not say draining")
        assert health(gw.port)[1]["status"] == "draining"

        # new calls are refused as over capacity, although places are free
        late = Phone(gw.phone_port)
        assert refused_by_voice(late.until_closed())
        late.close()
        assert refusal(gw.port, "/v1/voice") == (503, "7")

        # a call in progress goes on and ends by itself
        assert gw.thread.is_alive() and not gw.server.should_exit
        finishing.hang_up()
        assert Kind.HANGUP not in finishing.until_closed()  # the caller hung up, not us
        finishing.close()
        within(5, lambda: gw.admission.active == 2, "the finished call kept its place")
        assert GOODBYE not in gw.spoken

        # the deadline ends the rest politely: the phone hears goodbye, the socket gets its end
        ended = staying.until_closed()
        assert time.monotonic() - started >= drain_s - 0.2
        assert refused_by_voice(ended) and GOODBYE in gw.spoken
        staying.close()
        messages = []
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(50):
                messages.append(json.loads(session.recv(timeout=5)))
        assert {"type": "end", "reason": "gateway-closing"} in messages
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001

        gw.thread.join(10)
        assert not gw.thread.is_alive(), "the gateway did not stop after its drain"
        assert gw.admission.active == 0


def test_a_second_signal_stops_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with running_gateway(monkeypatch, max_streams=2, drain_s=30) as gw:
        session = start_session(gw.port)
        gw.server.handle_exit(signal.SIGTERM, None)
        within(2, lambda: health(gw.port)[0] == 503, "/healthz does not say draining")
        gw.server.handle_exit(signal.SIGTERM, None)
        gw.thread.join(10)
        assert not gw.thread.is_alive()
        session.close()


async def test_without_the_http_response_extension_the_refusal_is_close_1013() -> None:
    admission = Admission(capacity=1, retry_after_s=7)
    assert admission.admit("the one call") is not None
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    app = SimpleNamespace(state=SimpleNamespace(admission=admission))
    scope = {"type": "websocket", "path": "/v1/voice", "headers": [], "app": app,
             "extensions": {}}
    assert await admit(WebSocket(scope, receive, send), "a /v1/voice session") is None
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.close"]
    assert sent[-1]["code"] == 1013 and "retry after 7 s" in sent[-1]["reason"]
