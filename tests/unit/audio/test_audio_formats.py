from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from audio.formats import (
    StreamResampler,
    check_format,
    convert,
    linear_to_ulaw,
    read_wav,
    resample,
    rms_dbfs,
    to_mono,
    to_samples,
    ulaw_to_linear,
    validate_pcm,
    wav_bytes,
    write_wav,
)
from audio.types import AudioFormat, AudioFormatError


def tone(rate: int, ms: int = 500, hz: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(rate * ms // 1000) / rate
    return (np.sin(2 * np.pi * hz * t) * amp * 32767).astype(np.int16)


def test_odd_byte_count_is_a_clear_error() -> None:
    with pytest.raises(AudioFormatError) as err:
        validate_pcm(b"\x00\x01\x02", AudioFormat())
    assert "not a multiple of the frame size 2" in err.value.message
    assert err.value.code == "audio-bad-format"


def test_stereo_needs_whole_frames() -> None:
    with pytest.raises(AudioFormatError, match="frame size 4"):
        validate_pcm(bytes(6), AudioFormat(channels=2))


@pytest.mark.parametrize(
    ("fmt", "needle"),
    [
        (AudioFormat(rate=1000), "sample rate 1000"),
        (AudioFormat(rate=0), "sample rate 0"),
        (AudioFormat(width=1), "sample width 1"),
        (AudioFormat(channels=6), "channel count 6"),
    ],
)
def test_unsupported_formats_are_named(fmt: AudioFormat, needle: str) -> None:
    with pytest.raises(AudioFormatError, match=needle):
        check_format(fmt)


def test_stereo_to_mono_averages() -> None:
    stereo = np.array([[100, 300], [-200, -400]], dtype=np.int16)
    assert to_mono(stereo).tolist() == [200, -300]
    pcm = stereo.astype("<i2").tobytes()
    assert to_samples(pcm, AudioFormat(channels=2)).shape == (2, 2)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_resample_to_16k_keeps_duration_and_pitch(rate: int) -> None:
    out = resample(tone(rate, hz=440.0), rate, 16000)
    assert abs(len(out) - 8000) <= 2
    spectrum = np.abs(np.fft.rfft(out.astype(np.float64)))
    peak_hz = np.argmax(spectrum) * 16000 / len(out)
    assert abs(peak_hz - 440.0) < 5


def test_resample_back_to_8k_for_telephony() -> None:
    back = resample(tone(16000), 16000, 8000)
    assert abs(len(back) - 4000) <= 2


def test_stream_resampler_matches_one_shot_length() -> None:
    src = tone(48000, ms=1000)
    pcm = src.astype("<i2").tobytes()
    stream = StreamResampler(AudioFormat(rate=48000))
    step = 48000 * 2 // 10
    out = b"".join(stream.process(pcm[i : i + step]) for i in range(0, len(pcm), step))
    out += stream.flush()
    assert abs(len(out) // 2 - 16000) <= 2


def test_stream_resampler_survives_a_bad_chunk() -> None:
    stream = StreamResampler(AudioFormat(rate=8000))
    good = tone(8000, ms=100).astype("<i2").tobytes()
    stream.process(good)
    with pytest.raises(AudioFormatError):
        stream.process(good[:-1])
    assert len(stream.process(good)) > 0


def test_convert_stereo_44k_to_pipeline() -> None:
    mono = tone(44100)
    stereo = np.repeat(mono, 2).astype("<i2").tobytes()
    out = convert(stereo, AudioFormat(rate=44100, channels=2))
    assert abs(len(out) // 2 - 8000) <= 2


def test_ulaw_round_trip_is_close() -> None:
    pcm = tone(8000).astype("<i2").tobytes()
    encoded = linear_to_ulaw(pcm)
    assert len(encoded) == len(pcm) // 2
    decoded = np.frombuffer(ulaw_to_linear(encoded), dtype="<i2").astype(np.int32)
    original = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
    # μ-law keeps about 2-3 % relative error on loud samples
    assert np.max(np.abs(decoded - original)) < 0.04 * 32768


def test_ulaw_known_codes() -> None:
    assert ulaw_to_linear(b"\xff\x7f\x00\x80") == struct.pack("<4h", 0, 0, -32124, 32124)
    assert linear_to_ulaw(struct.pack("<2h", 0, 32767)) == b"\xff\x80"


def test_wav_round_trip(tmp_path: Path) -> None:
    pcm = tone(8000).astype("<i2").tobytes()
    path = write_wav(tmp_path / "a.wav", pcm, AudioFormat(rate=8000))
    fmt, frames = read_wav(path)
    assert fmt == AudioFormat(rate=8000) and frames == pcm
    assert read_wav(wav_bytes(pcm, AudioFormat(rate=8000)))[1] == pcm


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "not a readable PCM WAV"),
        (b"hello, this is not audio at all" * 4, "not a readable PCM WAV"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", "not a readable PCM WAV"),
    ],
)
def test_malformed_wav_is_a_clear_error(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioFormatError, match=needle):
        read_wav(path)


def test_missing_wav_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match=r"cannot open WAV file .*nope\.wav"):
        read_wav(tmp_path / "nope.wav")


def test_8bit_wav_is_rejected_with_the_reason(tmp_path: Path) -> None:
    import wave

    path = tmp_path / "u8.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(bytes(800))
    with pytest.raises(AudioFormatError, match="sample width 1"):
        read_wav(path)


def test_rms_levels() -> None:
    assert rms_dbfs(np.zeros(160, dtype=np.int16)) == -120.0
    assert -4.0 < rms_dbfs(tone(16000, amp=1.0)) < -2.0
