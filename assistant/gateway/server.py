"""The gateway's HTTP server: uvicorn, with the read limits uvicorn lacks (config `gateway:`).

uvicorn closes idle keep-alive connections, but a request whose line, headers or body never
complete holds its connection (and file descriptor) for ever, and it accepts any number of
connections. `GuardedHttpProtocol` (uvicorn's httptools protocol) adds:
- a header deadline: the request line and headers must be complete within `header_timeout_s` of
  the connection (or of the first byte of a later request on it), else the connection closes;
- a body deadline: the body must be complete within `body_timeout_s` after the headers;
- a header size cap: more than `max_header_bytes` before the headers end gets 431;
- a connection cap: a connection beyond `max_connections` (WebSockets included) gets 503 and is
  closed at once.
WebSocket frames are capped by uvicorn's `ws_max_size` (see `server_config`).

`DrainingServer` adds the graceful drain of SIGTERM (and a first Ctrl-C). Plain uvicorn, on
SIGTERM, stops accepting, closes every WebSocket at once (calls cut mid-sentence) and waits for
HTTP requests. Here the first signal only starts `Admission.drain()`: the server keeps listening,
every new call is refused (503 + Retry-After, the busy line on the phone), `/healthz` answers 503
`draining`, the calls in progress finish or are ended politely at `gateway.drain_s`; only then
does uvicorn's own shutdown run. A second signal shuts down at once, as uvicorn does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from types import FrameType
from typing import Any, ClassVar

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from assistant.gateway.admission import Admission
from assistant.settings import GatewayServer, Settings

log = logging.getLogger(__name__)



def _plain_response(status: str, text: str) -> bytes:
    body = text.encode("ascii")
    return (f"HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {len(body)}\r\n"
            "connection: close\r\n\r\n").encode("ascii") + body


SERVICE_UNAVAILABLE = _plain_response("503 Service Unavailable", "too many connections")
HEADERS_TOO_LARGE = _plain_response("431 Request Header Fields Too Large",
                                    "request headers too large")


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with read deadlines and caps; `limits` is set by
    `guarded_protocol()`."""

    limits: ClassVar[GatewayServer] = GatewayServer()
    _last_refusal_log: ClassVar[float] = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._awaiting_headers = False
        self._header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._refuse_connection()
            return
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._awaiting_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        if (self._awaiting_headers and self._header_bytes > self.limits.max_header_bytes
                and not self.transport.is_closing()):
            self._disarm()
            self.transport.write(HEADERS_TOO_LARGE)
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._awaiting_headers:  # the next request on a keep-alive connection
            self._await_headers()

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._arm(self.limits.body_timeout_s, "body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()  # the WebSocket session has limits of its own (channels.idle_timeout_s)
        self._awaiting_headers = False
        super().handle_websocket_upgrade()

    def _await_headers(self) -> None:
        self._awaiting_headers = True
        self._header_bytes = 0
        self._arm(self.limits.header_timeout_s, "headers")

    def _arm(self, seconds: float, part: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired, part, seconds)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, part: str, seconds: float) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        client = self.client[0] if self.client else "?"
        log.info("closed a connection from %s: request %s not complete within %.0f s",
                 client, part, seconds)
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app sees http.disconnect
            self.cycle.message_event.set()
        self.transport.close()

    def _refuse_connection(self) -> None:
        now = time.monotonic()
        if now - GuardedHttpProtocol._last_refusal_log > 10.0:
            GuardedHttpProtocol._last_refusal_log = now
            log.warning("over %d connections: refusing new ones (gateway.max_connections)",
                        self.limits.max_connections)
        self.transport.write(SERVICE_UNAVAILABLE)
        self.transport.close()


def guarded_protocol(limits: GatewayServer) -> type[GuardedHttpProtocol]:
    """A protocol class bound to `limits` (uvicorn instantiates the class it is given)."""
    return type("GatewayHttpProtocol", (GuardedHttpProtocol,), {"limits": limits})


class GatewayWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol. A socket refused before its upgrade (HTTP 503 + Retry-After,
    assistant.gateway.admission) has ended its handshake: plain uvicorn logs each refusal as the
    error "ASGI callable returned without completing handshake", a flood of them under load."""

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            self.handshake_complete = True


def server_config(settings: Settings, app: Any, host: str, port: int) -> uvicorn.Config:
    """uvicorn's config for the gateway. Logging is ours (`log_config=None`): uvicorn's loggers,
    the access log included, go through the root handler and its masking filter."""
    frames = max(settings.channels.max_frame_bytes, settings.channels.max_control_bytes)
    return uvicorn.Config(
        app, host=host, port=port,
        http=guarded_protocol(settings.gateway),
        ws=GatewayWebSocketProtocol,
        timeout_keep_alive=settings.gateway.keep_alive_s,
        # frames up to 4x channels.max_frame_bytes are answered with an error event by the
        # session; a larger one is never buffered: the server closes with 1009
        ws_max_size=4 * frames,
        log_config=None,
        server_header=False,
    )


class DrainingServer(uvicorn.Server):
    """uvicorn.Server whose first SIGTERM/SIGINT drains the voice calls before shutting down."""

    def __init__(self, config: uvicorn.Config, admission: Admission) -> None:
        super().__init__(config)
        self.admission = admission
        self.drain_requested = False
        self._drain: asyncio.Task[None] | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # a signal handler: only flags here; the drain starts on uvicorn's next tick (0.1 s)
        if self.drain_requested:
            super().handle_exit(sig, frame)
            return
        self._captured_signals.append(sig)  # re-raised by uvicorn once the server is down
        self.drain_requested = True

    async def on_tick(self, counter: int) -> bool:
        if self.drain_requested and self._drain is None:
            self._drain = asyncio.create_task(self._drain_then_exit(), name="gateway-drain")
        return await super().on_tick(counter)

    async def _drain_then_exit(self) -> None:
        try:
            await self.admission.drain()
        finally:
            self.should_exit = True


def gateway_server(settings: Settings, app: Any, host: str, port: int) -> DrainingServer:
    """`python -m assistant.gateway`'s server: `app` is `create_app(settings)`."""
    return DrainingServer(server_config(settings, app, host, port), app.state.admission)
