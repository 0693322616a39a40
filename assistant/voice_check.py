"""Can this machine hold a spoken conversation? If not, say why and how to fix it."""

from __future__ import annotations

from assistant.settings import Settings


def model_path_for(settings: Settings, lang: str) -> str | None:
    name = settings.asr.models.get(lang)
    if not name:
        return None
    return str(settings.resolve(settings.asr.models_dir / name))


def voice_unavailable_reason(settings: Settings, lang: str) -> str | None:
    """None when a Vosk model for `lang` and a sound input device are both present."""
    from pathlib import Path

    path = model_path_for(settings, lang)
    if path is None or not Path(path).is_dir():
        return (f"no Vosk model for '{lang}' is installed; get it with "
                f"`assistant models pull {lang}` (or `assistant models import PATH`).")
    try:
        import sounddevice

        sounddevice.query_devices(kind="input")
    except (OSError, ValueError, sounddevice.PortAudioError) as exc:
        return f"no sound input device ({exc}); plug in a microphone to talk."
    return None
