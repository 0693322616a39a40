"""Errors that must say what is missing and how to fix it (no models, no sound card needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio.asr import ModelRegistry, resolve_model_paths
from audio.devices import AudioDeviceError, find_device
from audio.types import ModelMissingError


def test_missing_model_names_the_fix_command(tmp_path: Path) -> None:
    registry = ModelRegistry(resolve_model_paths(tmp_path, {"ru": "vosk-model-small-ru-0.22"}))
    with pytest.raises(ModelMissingError) as err:
        registry.get("ru")
    assert "assistant models pull ru" in err.value.message
    assert "assistant models import PATH" in err.value.message
    assert err.value.code == "asr-model-missing"
    assert registry.load_count == 0


def test_unconfigured_language_names_the_fix_command(tmp_path: Path) -> None:
    registry = ModelRegistry(resolve_model_paths(tmp_path, {}, builtin=False))
    with pytest.raises(ModelMissingError, match="assistant models pull en"):
        registry.get("en")


def test_models_dir_relative_and_absolute_names(tmp_path: Path) -> None:
    paths = resolve_model_paths(tmp_path, {"ru": "m-ru", "en": "/opt/m-en"}, builtin=False)
    assert paths == {"ru": tmp_path / "m-ru", "en": Path("/opt/m-en")}


def test_no_sound_device_is_a_clear_error() -> None:
    """This machine has PortAudio but no sound card: the error must say so plainly."""
    try:
        find_device("input")
    except AudioDeviceError as err:
        assert err.code == "audio-no-device"
        assert "microphone" in err.message or "PortAudio" in err.message
    else:  # a developer machine with a microphone
        pass


def test_missing_portaudio_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import audio.devices as devices

    def no_portaudio(name: str) -> None:
        raise OSError("PortAudio library not found")

    monkeypatch.setattr(devices.importlib, "import_module", no_portaudio)
    with pytest.raises(AudioDeviceError, match="apt-get install -y libportaudio2"):
        find_device("input")


def test_no_input_device_says_microphone(monkeypatch: pytest.MonkeyPatch) -> None:
    import sounddevice

    def none(*args: object, **kwargs: object) -> None:
        raise sounddevice.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sounddevice, "query_devices", none)
    with pytest.raises(AudioDeviceError, match=r"no sound input device \(microphone\) found"):
        find_device("input")
    with pytest.raises(AudioDeviceError, match=r"output device \(speaker\)"):
        find_device("output")
