"""The gateway app factory. Nothing is read or connected at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Response

from assistant.gateway import (
    asr_route,
    kiosk_page,
    metrics,
    operator_route,
    text_route,
    voice_route,
)
from assistant.gateway.admission import Admission
from assistant.gateway.channels import audio_fork
from assistant.gateway.channels.audiosocket import start_phone_channel
from assistant.gateway.dialogue import DialogueClient
from assistant.gateway.errors import BodyLimit, install_error_handlers
from assistant.gateway.handoffs import HandoffRegistry
from assistant.gateway.logs import configure_logging
from assistant.gateway.pipeline import VoiceStack
from assistant.settings import Settings, load_settings

MAX_BODY_BYTES = 64 * 1024


def create_app(
    settings: Settings | None = None, dialogue: DialogueClient | None = None
) -> FastAPI:
    settings = settings or load_settings()
    configure_logging(mask=settings.privacy.log_mask)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = dialogue or DialogueClient.from_settings(settings)
        app.state.dialogue = client
        # Models load on first use, the TTS thread starts on first use: nothing heavy here.
        app.state.voice = VoiceStack.from_settings(settings, dialogue=client)
        app.state.phone = await start_phone_channel(app.state.voice, settings, admission,
                                                    handoffs=app.state.handoffs)
        try:
            yield
        finally:
            if app.state.phone is not None:
                await app.state.phone.close()
            await app.state.voice.aclose()

    app = FastAPI(title="City voice assistant gateway", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    # the voice calls' places (asr.max_streams) and the drain of SIGTERM (server.DrainingServer)
    admission = app.state.admission = Admission.from_settings(settings)
    # handoffs for the operator screen and the PBX's call route (assistant.gateway.operator_route)
    app.state.handoffs = HandoffRegistry.from_settings(settings)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    metrics.install(app, admission, settings.gateway.metrics_token)  # GET /metrics, internal
    app.include_router(text_route.router)
    app.include_router(voice_route.router)
    app.include_router(asr_route.router)
    app.include_router(audio_fork.router)
    kiosk_page.install(app)
    operator_route.install(app)

    @app.get("/healthz")
    async def healthz(response: Response) -> dict[str, str | int]:
        """200 `ok`; 503 `draining` after SIGTERM, so that a balancer stops routing here."""
        if admission.draining:
            response.status_code = 503
        return {"status": "draining" if admission.draining else "ok", "service": "gateway",
                "calls": admission.active, "capacity": admission.capacity}

    return app
