"""Can this machine hold a spoken conversation? If not, say why and how to fix it."""

from __future__ import annotations

from assistant.settings import Settings
from audio.types import PipelineError


def voice_unavailable_reason(settings: Settings, lang: str) -> str | None:
    """None when a Vosk model for `lang` and a sound input device are both present."""
    from audio.asr import ModelRegistry, resolve_model_paths
    from audio.devices import find_device

    models_dir = settings.resolve(settings.asr.models_dir)
    registry = ModelRegistry(resolve_model_paths(models_dir, settings.asr.models))
    try:
        registry.path_for(lang)
        find_device("input")
        find_device("output")
    except PipelineError as exc:
        return exc.message
    return None
