"""`/kiosk`: the street kiosk's touch screen, static HTML/JS/CSS served by the gateway.

The page (assistant/gateway/static/kiosk.*) streams the microphone through an AudioWorklet to
`/v1/voice` and shows partial transcripts, replies and on-screen-only details. Open it as
`/kiosk?token=DEVICE_TOKEN` (one of channels.voice_tokens); `&lang=en` picks the language.
By touch alone it offers service tiles (each sends the task's opening phrase as a typed turn),
a keypad whenever the dialogue's `expect` event asks for digits (policy, Troika card,
application number, birth date; shown masked), answer buttons for the offered phrases, and a
confirmation card with the booking reference and its QR code.

`GET /kiosk/qr?text=REF`: the reference's QR code (assistant.gateway.qr) as JSON
`{"text", "data_uri"}`, for the confirmation card; the device token as for `/v1/voice`
(`Authorization: Bearer T`, or `?token=T`). 403 without it, 422 for text that is no reference.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant.gateway.qr import qr_data_uri, valid_reference
from assistant.gateway.voice_route import token_valid
from assistant.settings import Settings

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"


def request_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("token", "")


def install(app: FastAPI) -> None:
    """Add the page, its QR codes and its static files to the app."""

    @app.get("/kiosk", include_in_schema=False)
    async def kiosk_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "kiosk.html", media_type="text/html")

    @app.get("/kiosk/qr", include_in_schema=False)
    async def kiosk_qr(request: Request, text: str = "") -> JSONResponse:
        settings: Settings = request.app.state.settings
        if not token_valid(request_token(request), settings.channels.voice_tokens):
            client = request.client.host if request.client else "?"
            log.warning("kiosk QR refused to %s: missing or unknown token", client)
            return JSONResponse({"detail": "missing or invalid device token"}, status_code=403)
        if not valid_reference(text):
            return JSONResponse({"detail": "text is not a booking reference"}, status_code=422)
        return JSONResponse({"text": text, "data_uri": qr_data_uri(text)},
                            headers={"Cache-Control": "no-store"})

    app.mount("/kiosk/static", StaticFiles(directory=STATIC_DIR), name="kiosk-static")
