"""Local microphone and speaker through sounddevice (PortAudio), with errors naming what is missing.

The kiosk's `assistant listen` uses these. On a machine with no PortAudio library or no sound card
they raise `AudioDeviceError` naming the missing piece and the fix, instead of a PortAudio trace.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, Literal

from audio.types import PipelineError

log = logging.getLogger(__name__)

Kind = Literal["input", "output"]
_WHAT = {"input": "input device (microphone)", "output": "output device (speaker)"}


class AudioDeviceError(PipelineError):
    code = "audio-no-device"


def _sounddevice() -> Any:
    try:
        sounddevice = importlib.import_module("sounddevice")
    except OSError as exc:  # raised when libportaudio.so.2 is missing
        raise AudioDeviceError(
            f"the PortAudio library is missing ({exc}): install it with "
            "`apt-get install -y libportaudio2` (Debian/Ubuntu) or `brew install portaudio` (macOS)"
        ) from exc
    return sounddevice


def find_device(kind: Kind) -> dict[str, Any]:
    """The default device of `kind`, or AudioDeviceError saying there is none."""
    sd = _sounddevice()
    try:
        info = sd.query_devices(kind=kind)
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioDeviceError(
            f"no sound {_WHAT[kind]} found ({exc}); connect one, check `python -m sounddevice`, "
            "or use the text channel / `assistant transcribe FILE.wav` instead"
        ) from exc
    if not info or int(info.get(f"max_{kind}_channels", 0)) < 1:
        raise AudioDeviceError(f"the default sound device has no {_WHAT[kind]}")
    return dict(info)


def open_input(rate: int = 16000, block_ms: int = 100, callback: Any = None) -> Any:
    """An unstarted RawInputStream of 16-bit mono PCM at `rate` (16 kHz by default)."""
    sd = _sounddevice()
    find_device("input")
    blocksize = rate * block_ms // 1000
    try:
        return sd.RawInputStream(
            samplerate=rate, blocksize=blocksize, channels=1, dtype="int16", callback=callback
        )
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"cannot open the {_WHAT['input']}: {exc}") from exc


def play(pcm: bytes, rate: int, blocking: bool = True) -> None:
    """Play 16-bit mono PCM on the default speaker. `stop()` interrupts it (barge-in)."""
    import numpy as np

    sd = _sounddevice()
    find_device("output")
    try:
        sd.play(np.frombuffer(pcm, dtype="<i2"), samplerate=rate, blocking=blocking)
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"cannot play on the {_WHAT['output']}: {exc}") from exc


def stop() -> None:
    _sounddevice().stop()
