from __future__ import annotations

from pathlib import Path

from assistant.cli.voice_check import voice_unavailable_reason
from assistant.settings import Settings


def test_a_missing_model_names_the_command_that_fixes_it(tmp_path: Path) -> None:
    settings = Settings(asr={"models_dir": tmp_path, "models": {"ru": "vosk-ru"}})  # type: ignore[arg-type]
    reason = voice_unavailable_reason(settings, "ru")
    assert reason is not None
    assert "assistant models pull ru" in reason
    assert "assistant models import" in reason


def test_a_language_without_any_model_configured(tmp_path: Path) -> None:
    settings = Settings(asr={"models_dir": tmp_path, "models": {}})  # type: ignore[arg-type]
    reason = voice_unavailable_reason(settings, "en")
    assert reason is not None and "assistant models pull en" in reason
