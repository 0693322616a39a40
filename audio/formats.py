"""PCM in and out: validation, mono down-mix, resampling, G.711 μ-law and WAV files.

Everything here works on signed 16-bit little-endian PCM, the pipeline's own sample format.
Channels convert at their edge: telephony μ-law 8 kHz, browsers 48 kHz, files anything `wave`
reads. Errors are `AudioFormatError`s whose message says what was wrong and what is expected.
"""

from __future__ import annotations

import functools
import io
import logging
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soxr

from audio.types import PIPELINE_FORMAT, AudioFormat, AudioFormatError

log = logging.getLogger(__name__)

Int16Array = npt.NDArray[np.int16]

MIN_RATE = 8000
MAX_RATE = 192000
#: Rates the channels are known to send; any rate in [MIN_RATE, MAX_RATE] is accepted.
COMMON_RATES = (8000, 16000, 22050, 44100, 48000)


def check_format(fmt: AudioFormat) -> None:
    """Raise AudioFormatError unless `fmt` is 16-bit PCM, 1 or 2 channels, at a sane rate."""
    if fmt.width != 2:
        raise AudioFormatError(
            f"unsupported sample width {fmt.width} bytes: expected 16-bit PCM (width 2); "
            "decode μ-law with audio.formats.ulaw_to_linear first"
        )
    if not MIN_RATE <= fmt.rate <= MAX_RATE:
        raise AudioFormatError(
            f"unsupported sample rate {fmt.rate} Hz: expected {MIN_RATE}..{MAX_RATE} Hz "
            f"(usually one of {', '.join(str(r) for r in COMMON_RATES)})"
        )
    if fmt.channels not in (1, 2):
        raise AudioFormatError(f"unsupported channel count {fmt.channels}: expected 1 or 2")


def validate_pcm(pcm: bytes, fmt: AudioFormat) -> None:
    """Check that `pcm` holds whole frames of `fmt`; raise AudioFormatError otherwise."""
    check_format(fmt)
    frame = fmt.width * fmt.channels
    if len(pcm) % frame:
        raise AudioFormatError(
            f"PCM length {len(pcm)} bytes is not a multiple of the frame size {frame} bytes "
            f"({8 * fmt.width}-bit, {fmt.channels} channel(s)): a chunk was cut mid-sample"
        )


def to_samples(pcm: bytes, fmt: AudioFormat) -> Int16Array:
    """Validated PCM -> int16 array of shape (frames, channels)."""
    validate_pcm(pcm, fmt)
    return np.frombuffer(pcm, dtype="<i2").astype(np.int16).reshape(-1, fmt.channels)


def to_mono(samples: Int16Array) -> Int16Array:
    """(frames, channels) -> (frames,) by averaging the channels."""
    if samples.ndim == 1:
        return samples
    if samples.shape[1] == 1:
        mono: Int16Array = samples[:, 0]
        return mono
    mixed = samples.astype(np.int32).mean(axis=1)
    out: Int16Array = np.clip(np.round(mixed), -32768, 32767).astype(np.int16)
    return out


def resample(samples: Int16Array, src_rate: int, dst_rate: int) -> Int16Array:
    """Resample a mono int16 signal in one go (use StreamResampler for chunked streams)."""
    if src_rate == dst_rate or samples.size == 0:
        return samples.astype(np.int16, copy=False)
    out = soxr.resample(samples, src_rate, dst_rate, quality="HQ")
    return np.asarray(out, dtype=np.int16)


def convert(pcm: bytes, src: AudioFormat, dst: AudioFormat = PIPELINE_FORMAT) -> bytes:
    """Convert whole PCM buffers between formats (mono down-mix and resampling)."""
    check_format(dst)
    samples = to_mono(to_samples(pcm, src))
    out = resample(samples, src.rate, dst.rate)
    if dst.channels == 2:
        out = np.repeat(out, 2)
    return out.astype("<i2").tobytes()


class StreamResampler:
    """Chunk-by-chunk conversion of one stream to mono at `dst_rate`, with no seams at chunk edges.

    A wrong chunk raises AudioFormatError and leaves the stream as it was, so the caller's session
    survives a malformed frame.
    """

    def __init__(self, src: AudioFormat, dst_rate: int = PIPELINE_FORMAT.rate) -> None:
        check_format(src)
        self.src = src
        self.dst_rate = dst_rate
        self._stream: soxr.ResampleStream | None = None
        if src.rate != dst_rate:
            self._stream = soxr.ResampleStream(src.rate, dst_rate, 1, dtype="int16", quality="HQ")

    def process(self, pcm: bytes, last: bool = False) -> bytes:
        mono = to_mono(to_samples(pcm, self.src))
        if self._stream is None:
            return mono.astype("<i2").tobytes()
        out = self._stream.resample_chunk(mono, last=last)
        return np.asarray(out, dtype="<i2").tobytes()

    def flush(self) -> bytes:
        return self.process(b"", last=True)


# --- G.711 μ-law ---------------------------------------------------------------------------

_ULAW_BIAS = 0x84
_ULAW_SEG_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])


@functools.cache
def _ulaw_decode_table() -> Int16Array:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _ULAW_BIAS) << exponent) - _ULAW_BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def ulaw_to_linear(data: bytes) -> bytes:
    """G.711 μ-law bytes -> 16-bit linear PCM (twice as many bytes)."""
    codes = np.frombuffer(data, dtype=np.uint8)
    return _ulaw_decode_table()[codes].astype("<i2").tobytes()


def linear_to_ulaw(pcm: bytes) -> bytes:
    """16-bit linear PCM -> G.711 μ-law bytes (the classic Sun g711.c, as audioop did it)."""
    v14 = to_samples(pcm, AudioFormat(rate=8000)).astype(np.int32)[:, 0] >> 2
    mask = np.where(v14 < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(v14), 8159) + (_ULAW_BIAS >> 2)
    segment = np.searchsorted(_ULAW_SEG_END, magnitude, side="left")
    code = (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F)
    code = np.where(segment >= 8, 0x7F, code)
    return ((code ^ mask) & 0xFF).astype(np.uint8).tobytes()


# --- WAV files -----------------------------------------------------------------------------


def read_wav(source: str | Path | bytes) -> tuple[AudioFormat, bytes]:
    """Read a PCM WAV file (path or bytes) -> (format, frames). Malformed files raise clearly."""
    name = "<bytes>" if isinstance(source, bytes) else str(source)
    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    except OSError as exc:
        raise AudioFormatError(f"cannot open WAV file {name}: {exc.strerror or exc}") from exc
    with handle:
        try:
            with wave.open(handle, "rb") as wav:
                fmt = AudioFormat(
                    rate=wav.getframerate(), width=wav.getsampwidth(), channels=wav.getnchannels()
                )
                frames = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError) as exc:
            raise AudioFormatError(
                f"{name} is not a readable PCM WAV file ({exc or 'truncated header'}); "
                "expected RIFF/WAVE with 16-bit PCM samples"
            ) from exc
    if fmt.width == 2 and len(frames) % (fmt.width * fmt.channels):
        frames = frames[: len(frames) - len(frames) % (fmt.width * fmt.channels)]
    check_format(fmt)
    return fmt, frames


def wav_bytes(pcm: bytes, fmt: AudioFormat = PIPELINE_FORMAT) -> bytes:
    """PCM -> an in-memory WAV file."""
    validate_pcm(pcm, fmt)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(fmt.channels)
        wav.setsampwidth(fmt.width)
        wav.setframerate(fmt.rate)
        wav.writeframes(pcm)
    return buf.getvalue()


def write_wav(path: str | Path, pcm: bytes, fmt: AudioFormat = PIPELINE_FORMAT) -> Path:
    target = Path(path)
    target.write_bytes(wav_bytes(pcm, fmt))
    return target


# --- levels --------------------------------------------------------------------------------


def rms_dbfs(samples: Int16Array) -> float:
    """RMS level in dB relative to full scale; -120 for digital silence or an empty frame."""
    if samples.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples.astype(np.float64)))))
    if rms < 1e-3:
        return -120.0
    return 20.0 * float(np.log10(rms / 32768.0))


def silence(ms: int, rate: int = PIPELINE_FORMAT.rate) -> bytes:
    return bytes(2 * (rate * ms // 1000))
