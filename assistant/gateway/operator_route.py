"""Where a handed-off call goes, and the operator screen that shows it.

- `GET /v1/calls/{call_id}/route`: the telephone system asks, once the gateway has ended the
  call's AudioSocket session, where the call goes next. Token of `channels.route_tokens`
  (`Authorization: Bearer T`, or `?token=T`: Asterisk's `CURL` can send either). The answer is
  `action=queue&queue=operators-ru&lang=ru` as text/plain (Asterisk's `CURLOPT(hashcompat)` reads
  it into a HASH), or JSON with `?format=json`; a call that was not handed off gets
  `action=hangup`. See docs/asterisk-dialplan.md.
- `GET /operator?token=T`: the operator screen (static/operator.*), token of
  `channels.operator_tokens`.
- WebSocket `/v1/operator?token=T`: the same token and the Origin check of every socket
  (`voice_route.origin_allowed`). The server sends `{"type": "handoffs", "now", "items"}` at
  once and at every change; the screen may send `{"type": "take", "call_id"}` (an operator took
  the call: its waiting time stops). Other messages are answered with an error and ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request, WebSocket
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocketDisconnect

from assistant.gateway.handoffs import HandoffRegistry
from assistant.gateway.kiosk_page import STATIC_DIR
from assistant.gateway.voice_route import POLICY_VIOLATION, origin_allowed, token_valid
from assistant.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter()
MAX_OPERATOR_MESSAGE = 1024


def given_token(conn: HTTPConnection) -> str:
    header = conn.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return conn.query_params.get("token", "")


@router.get("/v1/calls/{call_id}/route", include_in_schema=False)
async def call_route(call_id: str, request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if not token_valid(given_token(request), settings.channels.route_tokens):
        client = request.client.host if request.client else "?"
        log.warning("call route refused to %s: missing or unknown token", client)
        return PlainTextResponse("action=hangup&error=token\n", status_code=403)
    registry: HandoffRegistry = request.app.state.handoffs
    record = registry.route(call_id[:128])
    answer: dict[str, Any] = {"action": "hangup"}
    if record is not None:
        answer = {"action": "queue", "queue": record.queue, "lang": record.lang,
                  "task": str(record.summary.get("task") or "")}
        log.info("call %s routed to queue %s", record.call_id, record.queue)
    if request.query_params.get("format") == "json":
        return JSONResponse(answer)
    return PlainTextResponse("&".join(f"{k}={v}" for k, v in answer.items() if v) + "\n")


@router.websocket("/v1/operator")
async def operator_socket(ws: WebSocket) -> None:
    settings: Settings = ws.app.state.settings
    client = ws.client.host if ws.client else "?"
    if not token_valid(given_token(ws), settings.channels.operator_tokens):
        log.warning("refused an operator screen from %s: missing or unknown token", client)
        await ws.close(code=POLICY_VIOLATION, reason="missing or invalid operator token")
        return
    if not origin_allowed(ws, settings.channels.allowed_origins):
        log.warning("refused an operator screen from %s: origin not allowed", client)
        await ws.close(code=POLICY_VIOLATION, reason="origin not allowed")
        return
    await ws.accept()
    registry: HandoffRegistry = ws.app.state.handoffs
    with registry.subscribe() as snapshots:
        sender = asyncio.create_task(_send_snapshots(ws, snapshots))
        try:
            await _receive(ws, registry)
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender


async def _send_snapshots(ws: WebSocket, snapshots: asyncio.Queue[dict[str, Any]]) -> None:
    while True:
        await ws.send_text(json.dumps(await snapshots.get(), ensure_ascii=False))


async def _receive(ws: WebSocket, registry: HandoffRegistry) -> None:
    while True:
        try:
            message = await ws.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text") or ""
        try:
            data = json.loads(text) if len(text) <= MAX_OPERATOR_MESSAGE else None
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("type") == "take" and isinstance(
                data.get("call_id"), str):
            if registry.take(data["call_id"]):
                log.info("operator took call %s", data["call_id"][:128])
            continue
        with contextlib.suppress(Exception):
            await ws.send_text(json.dumps({"type": "error", "code": "bad-message",
                                           "message": "expected {\"type\": \"take\", "
                                                      "\"call_id\": ...}"}))


def install(app: FastAPI) -> None:
    """The route, the socket, the page and its static files."""
    app.include_router(router)

    @app.get("/operator", include_in_schema=False)
    async def operator_page(request: Request) -> Response:
        settings: Settings = request.app.state.settings
        if not token_valid(given_token(request), settings.channels.operator_tokens):
            return PlainTextResponse(
                "Нужен токен оператора: /operator?token=… · "
                "An operator token is needed: /operator?token=…\n", status_code=403)
        return FileResponse(STATIC_DIR / "operator.html", media_type="text/html",
                            headers={"Cache-Control": "no-store",
                                     "Referrer-Policy": "no-referrer"})

    app.mount("/operator/static", StaticFiles(directory=STATIC_DIR), name="operator-static")
