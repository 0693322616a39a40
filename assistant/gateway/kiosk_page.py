"""`/kiosk`: the street kiosk's touch screen, static HTML/JS/CSS served by the gateway.

The page (assistant/gateway/static/) streams the microphone through an AudioWorklet to
`/v1/voice` and shows partial transcripts, replies and on-screen-only details. Open it as
`/kiosk?token=DEVICE_TOKEN` (one of channels.voice_tokens); `&lang=en` picks the language.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    """Add the page and its static files to the app."""

    @app.get("/kiosk", include_in_schema=False)
    async def kiosk_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "kiosk.html", media_type="text/html")

    app.mount("/kiosk/static", StaticFiles(directory=STATIC_DIR), name="kiosk-static")
