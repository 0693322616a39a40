"""One gateway for every channel test: real Vosk (Korean test model), real espeak-ng TTS, the
AudioSocket server started by the gateway's own lifespan, and a scripted dialogue stand-in.

A missing model or espeak-ng fails with how to install it; nothing is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.gateway.app import create_app
from assistant.settings import Settings
from audio.asr import builtin_model_paths
from tests.conftest import free_port
from tests.fixtures.audio.speech import Speech
from tests.integration.channels.support import DialogueStandIn, ServerThread

TOKEN = "test-device-token"
OPERATOR_TOKEN = "test-operator-token"
ROUTE_TOKEN = "test-pbx-token"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@dataclass
class Gateway:
    settings: Settings
    port: int
    phone_port: int
    standin: DialogueStandIn
    app: Any = None  # the gateway's FastAPI app (its `state.handoffs`, read from the tests)

    @property
    def voice_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/voice"

    def url(self, path: str, scheme: str = "ws") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"


def channel_settings(rasa_port: int, phone_port: int) -> Settings:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    return Settings(
        ports={"rasa": rasa_port, "gateway": 0},
        # the prompts and the stand-in's replies are Russian: speak Korean sessions with the
        # Russian voice (espeak's Korean voice spells Cyrillic out letter by letter)
        tts={"voices": {"ko": "ru", "ru": "ru", "en": "en-us"}},
        languages=["ru", "en", "ko"],  # the Korean test model, asked for by name
        asr={"models": {lang: str(path) for lang, path in builtin_model_paths().items()}},
        endpointing={
            "phone": {"silence_ms": 600, "start_timeout_ms": 8000, "max_utterance_ms": 12000},
            "speaker": {"silence_ms": 500, "start_timeout_ms": 8000, "max_utterance_ms": 12000},
            "kiosk": {"silence_ms": 600, "start_timeout_ms": 8000, "max_utterance_ms": 12000},
        },
        channels={
            "voice_tokens": [TOKEN, "second-token"], "max_frame_bytes": 16000,
            "max_session_s": 120, "idle_timeout_s": 20, "audiosocket_port": phone_port,
            "phone_lang": "ko", "handoff_webhook": f"http://127.0.0.1:{rasa_port}/handoff",
            "operator_tokens": [OPERATOR_TOKEN], "route_tokens": [ROUTE_TOKEN],
        },
    )


@pytest.fixture(scope="session")
def gateway(ko_model_path: Path, speech: Speech) -> Iterator[Gateway]:
    standin = DialogueStandIn()
    rasa_port, port, phone_port = free_port(), free_port(), free_port()
    settings = channel_settings(rasa_port, phone_port)
    app = create_app(settings)
    with ServerThread(standin.app, rasa_port), ServerThread(app, port):
        yield Gateway(settings, port, phone_port, standin, app)
