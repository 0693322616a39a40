"""Issue 11 finding 6: half-open HTTP requests and connection floods, with raw sockets against
the gateway's own server (`python -m assistant.gateway` = uvicorn + assistant.gateway.server) on
loopback. No models are loaded: the app is the gateway's with its defaults."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from assistant.gateway.app import create_app
from assistant.gateway.server import server_config
from assistant.settings import Settings
from tests.conftest import free_port

MAX_CONNECTIONS = 8
LIMITS = {"header_timeout_s": 0.5, "body_timeout_s": 0.5, "keep_alive_s": 5,
          "max_connections": MAX_CONNECTIONS, "max_header_bytes": 4096}


@pytest.fixture(scope="module")
def gateway() -> Iterator[int]:
    port = free_port()
    settings = Settings(gateway=LIMITS, channels={"audiosocket_port": 0})
    server = uvicorn.Server(server_config(settings, create_app(settings), "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(10)


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    return sock


def closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closed `sock` within `seconds`; and what it sent before."""
    sock.settimeout(seconds)
    got = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True, got
            got += chunk
    except TimeoutError:
        return False, got
    except ConnectionResetError:
        return True, got


def test_a_complete_request_is_served(gateway: int) -> None:
    with connect(gateway) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        closed, answer = closed_within(sock, 5)
    assert closed and answer.startswith(b"HTTP/1.1 200") and b'"gateway"' in answer


def test_half_a_request_line_is_disconnected_after_the_header_timeout(gateway: int) -> None:
    with connect(gateway) as sock:
        sock.sendall(b"GET /heal")
        started = time.monotonic()
        closed, _ = closed_within(sock, 5)
    assert closed and time.monotonic() - started < 3


def test_a_silent_connection_is_disconnected(gateway: int) -> None:
    with connect(gateway) as sock:
        closed, _ = closed_within(sock, 5)
    assert closed


def test_headers_dribbled_slowly_are_cut_off(gateway: int) -> None:
    with connect(gateway) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        started = time.monotonic()
        for n in range(20):  # slowloris: a header line every 0.2 s keeps no deadline alive
            try:
                sock.sendall(f"X-Slow-{n}: 1\r\n".encode())
            except OSError:
                break
            time.sleep(0.2)
        closed, _ = closed_within(sock, 5)
    assert closed and time.monotonic() - started < 4.5


def test_a_body_that_never_arrives_is_disconnected(gateway: int) -> None:
    with connect(gateway) as sock:
        sock.sendall(b"POST /v1/text HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"session_id\":")
        closed, _ = closed_within(sock, 5)
    assert closed


def test_oversized_headers_get_431(gateway: int) -> None:
    with connect(gateway) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * 8000)
        closed, answer = closed_within(sock, 5)
    assert closed and answer.startswith(b"HTTP/1.1 431")


def test_connections_are_bounded(gateway: int) -> None:
    socks = [connect(gateway) for _ in range(MAX_CONNECTIONS + 6)]
    try:
        time.sleep(0.2)
        refused = 0
        for sock in socks:
            sock.settimeout(0.05)
            try:
                data = sock.recv(1024)
            except TimeoutError:
                continue
            refused += (not data) or data.startswith(b"HTTP/1.1 503")
        assert refused >= 6
    finally:
        for sock in socks:
            sock.close()
    time.sleep(0.1)
    with connect(gateway) as sock:  # once they are gone, the gateway serves again
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert closed_within(sock, 5)[1].startswith(b"HTTP/1.1 200")


def test_websocket_frames_are_capped_by_the_server() -> None:
    settings = Settings(channels={"max_frame_bytes": 1000, "max_control_bytes": 512})
    assert server_config(settings, object(), "127.0.0.1", 0).ws_max_size == 4000


def test_assistant_up_starts_the_guarded_launcher() -> None:
    from assistant.cli.stack import stack

    gateway = next(s for s in stack(Settings()) if s.name == "gateway")
    assert gateway.command[1:3] == ("-m", "assistant.gateway")
